// Types for the part of seek-bzip the archive reader uses.
declare module 'seek-bzip' {
  interface OutputSink {
    writeByte(b: number): void;
    write(buf: Uint8Array, offset: number, length: number): number;
    flush(): void;
  }
  const bzip: { decode(input: Buffer, output?: OutputSink, multistream?: boolean): Buffer | undefined };
  export default bzip;
}
