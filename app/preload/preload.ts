// The desktop shell's preload (sandboxed, isolated world): exposes only
// window.spmsDesktop, whose calls go to the main process over two IPC
// channels. No Node API and no ipcRenderer reach the page.
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNELS, type OpenFilesOptions, type PickedFile, type SpmsDesktop } from './desktop-api.ts';

const api: SpmsDesktop = {
  openFiles: (options?: OpenFilesOptions): Promise<PickedFile[]> => ipcRenderer.invoke(CHANNELS.openFiles, options),
  revealInFolder: (path: string): Promise<boolean> => ipcRenderer.invoke(CHANNELS.revealInFolder, path),
};

contextBridge.exposeInMainWorld('spmsDesktop', api);
