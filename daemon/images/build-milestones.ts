// How far an image build has got, from the lines its tools print: each
// milestone is a line the tool prints at a known point of a typical build,
// with the fraction of the build's time spent before it (measured on a
// 2-core machine under TCG). Lines that match none leave progress as is.
export type Milestones = readonly (readonly [pattern: RegExp, fraction: number])[];

/** build-base.sh: mmdebstrap's own messages, then the script's. */
export const BASE_MILESTONES: Milestones = [
  [/^I: running apt-get update/, 0.02],
  [/^I: downloading packages with apt/, 0.06],
  [/^I: extracting archives/, 0.2],
  [/^I: installing essential packages/, 0.25],
  [/^I: installing remaining packages inside the chroot/, 0.35],
  [/^I: running --customize-hook/, 0.82],
  [/^step: disk/, 0.85],
  [/^done: /, 1],
];

/** Packer's `say` lines of the role template. */
export const ROLE_MILESTONES: Milestones = [
  [/Retrieving ISO|Copying hard drive/, 0.02],
  [/Starting VM/, 0.08],
  [/Waiting for SSH to become available/, 0.1],
  [/Connected to SSH/, 0.55],
  [/Uploading .*spms-bundle/, 0.58],
  [/Provisioning with shell script/, 0.62],
  [/Gracefully halting virtual machine/, 0.8],
  [/Build '.*' finished/, 1],
];

/** The fraction the line marks, if it is a milestone. */
export function milestone(milestones: Milestones, line: string): number | undefined {
  return milestones.find(([pattern]) => pattern.test(line))?.[1];
}
