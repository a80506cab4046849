/**
 * How far the decision stands from the runner-up: the distance to the nearest neighbour of
 * another person minus the distance the decision was taken at. A small margin means two
 * enrolled people look alike to the model; null when no other person is among the neighbours.
 */
export function runnerUpMargin(neighbours: readonly { label: string; distance: number }[], decided: { label: string | null; distance: number | null }): number | null {
  const label = decided.label ?? neighbours[0]?.label;
  const distance = decided.distance ?? neighbours[0]?.distance;
  if (label === undefined || distance === undefined) return null;
  const runnerUp = neighbours.find((n) => n.label !== label);
  return runnerUp ? runnerUp.distance - distance : null;
}
