export interface Point {
  x: number;
  y: number;
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

export function midpoint(a: Point, b: Point): Point {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

export function translate(p: Point, dx: number, dy: number): Point {
  return { x: p.x + dx, y: p.y + dy };
}

export const perimeter = (points: Point[]): number =>
  points.reduce((sum, p, i) => sum + distance(p, points[(i + 1) % points.length]), 0);

function square(n: number): number {
  return n * n;
}

export { square as _square };
