import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Task } from '../../lib/api-types.ts';
import TaskPanel from './TaskPanel.svelte';

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
});

const TASK: Task = {
  id: 't1',
  kind: 'deploy',
  title: 'Deploy 4 nodes (local)',
  status: 'running',
  plannedSteps: ['plan', 'certificates', 'start PR'],
  steps: [
    { name: 'plan', status: 'done', startedMs: 1000, endedMs: 1010 },
    { name: 'certificates', status: 'running', startedMs: 1010 },
  ],
  progress: 0.33,
  createdMs: 1000,
  logTail: ['PV3/cc skipped: clang is not installed'],
};

function render(task: Task, oncancel = vi.fn()): HTMLElement {
  const target = document.createElement('div');
  document.body.replaceChildren(target);
  component = mount(TaskPanel, { target, props: { task, now: 4500, oncancel } });
  flushSync();
  return target.querySelector('[data-testid="task"]') as HTMLElement;
}

describe('TaskPanel', () => {
  it('shows a running task: steps planned and done with the current one marked, percent, elapsed time, log, Cancel', () => {
    const oncancel = vi.fn();
    const el = render(TASK, oncancel);
    expect(el.dataset.status).toBe('running');
    const steps = [...el.querySelectorAll('ol li')].map((li) => [li.querySelector('.name')?.textContent, (li as HTMLElement).dataset.state, li.getAttribute('aria-current')]);
    expect(steps).toEqual([
      ['plan', 'done', null],
      ['certificates', 'running', 'step'],
      ['start PR', 'pending', null],
    ]);
    expect(el.querySelector('[data-testid="task-percent"]')?.textContent).toBe('33%');
    expect(el.textContent).toContain('3.5 s');
    expect(el.querySelector('pre')?.textContent).toContain('clang is not installed');
    const cancel = [...el.querySelectorAll('button')].find((b) => b.textContent === 'Cancel') as HTMLButtonElement;
    cancel.click();
    expect(oncancel).toHaveBeenCalledOnce();
  });

  it('names the failing step and offers no Cancel once over', () => {
    const el = render({
      ...TASK,
      status: 'failed',
      endedMs: 2000,
      steps: [TASK.steps[0]!, { name: 'certificates', status: 'failed', startedMs: 1010, endedMs: 2000 }],
      error: { step: 'certificates', message: 'disk full' },
    });
    expect(el.querySelector('[role="alert"]')?.textContent).toBe('Failed at step certificates: disk full');
    expect([...el.querySelectorAll('button')].some((b) => b.textContent === 'Cancel')).toBe(false);
    expect(el.textContent).toContain('1.0 s');
  });
});
