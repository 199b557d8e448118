import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/**
 * The benchmark's charts (bench/lib/charts.js): the SVG they write next to BENCHMARKS.md is
 * well-formed XML that GitHub shows as an image, every point sits where the documented layout
 * puts it on linear and log axes, text is escaped and a missing figure never turns into NaN.
 * No database: the spec runs once, whatever the engines.
 */
const ROOT = join(__dirname, '..', '..');

type Point = [number, number];
const zip = (xs: number[], ys: number[]): Point[] => xs.map((x, i) => [x, ys[i]]);
interface AxisSpec {
  label?: string;
  log?: boolean;
  min?: number;
}
interface ChartOptions {
  title?: string;
  x?: AxisSpec;
  y?: AxisSpec;
  series?: { name: string; points: Point[] }[];
  note?: string;
  goal?: { y: number; label?: string };
  width?: number;
  height?: number;
}
interface Charts {
  lineChart(options: ChartOptions): string;
  writeChart(path: string, svg: string): void;
  formatNumber(value: number): string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- bench/ is plain JS outside the TypeScript build
const charts = require(join(ROOT, 'bench', 'lib', 'charts.js')) as Charts;

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = '[A-Za-z_][\\w.:-]*';
const START_TAG = new RegExp(`<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*(/?)>`, 'y');
const ATTRIBUTE = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g');
const END_TAG = new RegExp(`</(${NAME})\\s*>`, 'y');
const BAD_REFERENCE = /&(?!(?:#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);)/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * A strict parser for the XML these charts are made of (elements, attributes, text, comments, an
 * optional declaration): it fails on an unbalanced or crossed tag, a second root, a duplicate or
 * unquoted attribute, a raw `<` or a bare `&` in text or in an attribute value. Entities are decoded.
 */
function parseXml(source: string): XmlElement {
  let i = 0;
  let root: XmlElement | undefined;
  const stack: XmlElement[] = [];
  const fail = (why: string): never => assert.fail(`not well-formed XML at offset ${i}: ${why}`);
  const decode = (raw: string): string => {
    if (raw.includes('<')) fail(`a raw < in ${JSON.stringify(raw)}`);
    if (BAD_REFERENCE.test(raw)) fail(`a bare & in ${JSON.stringify(raw)}`);
    return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|\w+);/g, (_, ref: string) =>
      ref.startsWith('#x')
        ? String.fromCodePoint(parseInt(ref.slice(2), 16))
        : ref.startsWith('#')
          ? String.fromCodePoint(Number(ref.slice(1)))
          : ENTITIES[ref],
    );
  };
  if (source.startsWith('<?xml')) i = source.indexOf('?>') + 2;
  while (i < source.length) {
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i);
      if (end < 0) fail('an unclosed comment');
      i = end + 3;
    } else if (source.startsWith('</', i)) {
      END_TAG.lastIndex = i;
      const m = END_TAG.exec(source) ?? fail('a malformed end tag');
      const open = stack.pop();
      if (open?.name !== m[1]) fail(`</${m[1]}> closes <${open?.name ?? 'nothing'}>`);
      i = END_TAG.lastIndex;
    } else if (source[i] === '<') {
      START_TAG.lastIndex = i;
      const m = START_TAG.exec(source) ?? fail(`a malformed start tag ${source.slice(i, i + 40)}`);
      const element: XmlElement = { name: m[1], attrs: {}, children: [], text: '' };
      for (const [, key, double, single] of m[2].matchAll(ATTRIBUTE)) {
        if (key in element.attrs) fail(`attribute ${key} twice`);
        element.attrs[key] = decode(double ?? single);
      }
      if (stack.length > 0) stack[stack.length - 1].children.push(element);
      else if (root) fail('a second root element');
      else root = element;
      if (m[3] !== '/') stack.push(element);
      i = START_TAG.lastIndex;
    } else {
      const end = source.indexOf('<', i);
      const raw = source.slice(i, end < 0 ? source.length : end);
      if (stack.length > 0) stack[stack.length - 1].text += decode(raw);
      else if (raw.trim() !== '') fail('text outside the root element');
      i += raw.length;
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1].name}> is never closed`);
  return root ?? fail('no root element');
}

function descendants(element: XmlElement): XmlElement[] {
  return element.children.flatMap((child) => [child, ...descendants(child)]);
}
const groups = (svg: XmlElement, cls: string) =>
  descendants(svg).filter((e) => e.name === 'g' && e.attrs.class === cls);
const group = (svg: XmlElement, cls: string) => {
  const found = groups(svg, cls);
  assert.equal(found.length, 1, `one <g class="${cls}">`);
  return found[0];
};
const textsOf = (g: XmlElement) => g.children.filter((e) => e.name === 'text').map((e) => e.text);
const num = (e: XmlElement, attr: string) => {
  assert.match(e.attrs[attr] ?? '', /^-?\d+(\.\d+)?$/, `${e.name} ${attr}`);
  return Number(e.attrs[attr]);
};
const near = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 0.01, `${what}: ${actual}, expected ${expected}`);

/** The plot area the module documents: x from 72 to width - 24, y from 40 to height - 84. */
function plotArea(width: number, height: number) {
  return { left: 72, right: width - 24, top: 40, bottom: height - 84 };
}

/** Checks each series' circles and polyline against the points mapped through (fx, fy) into 0..1. */
function assertPoints(
  svg: XmlElement,
  options: ChartOptions,
  fx: (x: number) => number,
  fy: (y: number) => number,
): void {
  const { left, right, top, bottom } = plotArea(options.width ?? 720, options.height ?? 400);
  const drawn = groups(svg, 'series');
  assert.equal(drawn.length, options.series?.length);
  options.series?.forEach((series, s) => {
    const circles = drawn[s].children.filter((e) => e.name === 'circle');
    assert.equal(circles.length, series.points.length, `${series.name}: one circle a point`);
    const expected = series.points.map(([x, y]) => [left + fx(x) * (right - left), bottom - fy(y) * (bottom - top)]);
    circles.forEach((circle, p) => {
      near(num(circle, 'cx'), expected[p][0], `${series.name} point ${p} cx`);
      near(num(circle, 'cy'), expected[p][1], `${series.name} point ${p} cy`);
    });
    const line = drawn[s].children.find((e) => e.name === 'polyline');
    if (circles.length < 2) return assert.equal(line, undefined, `${series.name}: no line for one point or none`);
    const vertices = (line?.attrs.points ?? '').split(' ').map((pair) => pair.split(',').map(Number));
    assert.deepEqual(
      vertices,
      circles.map((c) => [num(c, 'cx'), num(c, 'cy')]),
      'the line joins the circles',
    );
  });
  const colours = drawn.map((g) => g.attrs.fill);
  assert.equal(new Set(colours).size, colours.length, `distinct colours: ${colours.join(' ')}`);
}

describe('benchmark charts (bench/lib/charts.js)', () => {
  const linear: ChartOptions = {
    title: 'Sign-in p50',
    x: { label: 'clients' },
    y: { label: 'ms' },
    series: [
      {
        name: 'MariaDB',
        points: zip([0, 25, 50, 100], [1, 2, 4, 8]),
      },
      {
        name: 'PostgreSQL',
        points: zip([10, 90], [3, 6.5]),
      },
    ],
  };

  it('writes a standalone SVG GitHub shows as an image: no script, style, external reference or foreignObject', () => {
    const source = charts.lineChart({ ...linear, note: 'p50 of 100 runs', goal: { y: 5, label: 'goal' } });
    const svg = parseXml(source);
    assert.equal(svg.name, 'svg');
    assert.equal(svg.attrs.xmlns, 'http://www.w3.org/2000/svg');
    assert.match(svg.attrs['font-family'], /sans-serif$/);
    const names = new Set(descendants(svg).map((e) => e.name));
    for (const banned of ['script', 'style', 'foreignObject', 'image', 'use', 'a', 'link']) {
      assert.ok(!names.has(banned), `no <${banned}>`);
    }
    assert.doesNotMatch(source, /href|url\(|@import|\son\w+=/i);
    const background = svg.children.find((e) => e.name === 'rect');
    assert.deepEqual(
      [background?.attrs.width, background?.attrs.height, background?.attrs.fill],
      ['720', '400', '#ffffff'],
    );
    assert.deepEqual(textsOf(group(svg, 'legend')), ['MariaDB', 'PostgreSQL']);
    assert.ok(
      descendants(svg).some((e) => e.name === 'text' && e.text === 'p50 of 100 runs'),
      'the note',
    );
  });

  it('puts every point where a linear scale says, on the documented plot area, at any size', () => {
    for (const [width, height] of [
      [720, 400],
      [900, 500],
    ]) {
      const options = { ...linear, width, height };
      const svg = parseXml(charts.lineChart(options));
      // x: 0..100 in steps of 20; y: 0..8 in steps of 2 (data up to 8, min 0 by default).
      assertPoints(
        svg,
        options,
        (x) => x / 100,
        (y) => y / 8,
      );
      assert.deepEqual(textsOf(group(svg, 'x-ticks')), ['0', '20', '40', '60', '80', '100']);
      assert.deepEqual(textsOf(group(svg, 'y-ticks')), ['0', '2', '4', '6', '8']);
    }
  });

  it('puts every point where a log scale says, and ticks 1,000 to 1,000,000 as 1k, 10k, 100k, 1M', () => {
    const options: ChartOptions = {
      title: 'Token check p50 against table size',
      x: { label: 'tokens in the table', log: true },
      y: { label: 'ms', log: true },
      series: [
        {
          name: 'MariaDB',
          points: zip([1000, 10_000, 100_000, 1_000_000], [2, 30, 45, 400]),
        },
        {
          name: 'PostgreSQL',
          points: zip([3000, 700_000], [1.5, 12]),
        },
      ],
    };
    const svg = parseXml(charts.lineChart(options));
    // x: 10^3..10^6; y: 10^0..10^3 (1.5 to 400).
    assertPoints(
      svg,
      options,
      (x) => (Math.log10(x) - 3) / 3,
      (y) => Math.log10(y) / 3,
    );
    const xTicks = group(svg, 'x-ticks');
    assert.deepEqual(textsOf(xTicks), ['1k', '10k', '100k', '1M']);
    const { left, right } = plotArea(720, 400);
    xTicks.children
      .filter((e) => e.name === 'text')
      .forEach((label, k) => near(num(label, 'x'), left + (k / 3) * (right - left), `tick ${label.text}`));
    assert.deepEqual(textsOf(group(svg, 'y-ticks')), ['1', '10', '100', '1k']);
  });

  it('formats numbers compactly', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [0.05, '0.05'],
      [0.1 + 0.2, '0.3'],
      [12.5, '12.5'],
      [1000, '1k'],
      [1200, '1,200'],
      [20_000, '20k'],
      [1_000_000, '1M'],
      [1_500_000, '1.5M'],
    ];
    for (const [value, text] of cases) assert.equal(charts.formatNumber(value), text, String(value));
  });

  it('draws the goal as a dashed line across the plot, and widens the y axis to show it', () => {
    const { left, right, top, bottom } = plotArea(720, 400);
    const below = parseXml(charts.lineChart({ ...linear, goal: { y: 3, label: 'goal ≤ 3 ms' } }));
    const above = parseXml(charts.lineChart({ ...linear, goal: { y: 15, label: 'goal ≤ 15 ms' } }));
    for (const [svg, y, label] of [
      [below, bottom - (3 / 8) * (bottom - top), 'goal ≤ 3 ms'],
      [above, top, 'goal ≤ 15 ms'], // the axis now runs 0..15 in steps of 5
    ] as const) {
      const goal = group(svg, 'goal');
      const line = goal.children.find((e) => e.name === 'line');
      assert.ok(line, 'a line');
      assert.ok(line.attrs['stroke-dasharray'], 'dashed');
      assert.deepEqual([num(line, 'x1'), num(line, 'x2')], [left, right]);
      near(num(line, 'y1'), y, 'y1');
      near(num(line, 'y2'), y, 'y2');
      assert.deepEqual(textsOf(goal), [label]);
    }
    assert.deepEqual(textsOf(group(above, 'y-ticks')), ['0', '5', '10', '15']);
    assert.equal(groups(parseXml(charts.lineChart(linear)), 'goal').length, 0, 'no goal, no line');
  });

  it('escapes every piece of text', () => {
    const nasty = `a < b && "c" > 'd'`;
    const source = charts.lineChart({
      title: `title ${nasty}`,
      x: { label: `x ${nasty}` },
      y: { label: `y ${nasty}` },
      series: [{ name: `series ${nasty}`, points: [[1, 1]] }],
      note: `note ${nasty}`,
      goal: { y: 1, label: `goal ${nasty}` },
    });
    assert.ok(!source.includes(nasty), 'no raw text');
    const svg = parseXml(source);
    const texts = descendants(svg)
      .filter((e) => e.name === 'text' || e.name === 'title')
      .map((e) => e.text);
    for (const what of ['title', 'x', 'y', 'series', 'note', 'goal']) {
      assert.ok(texts.includes(`${what} ${nasty}`), `${what}: ${texts.join(' | ')}`);
    }
    assert.equal(svg.attrs['aria-label'], `title ${nasty}`);
  });

  it('leaves out points without a finite value and never writes NaN or Infinity', () => {
    const options = {
      title: 'gaps',
      x: { label: 'x', log: true },
      y: { label: 'y', min: Number.NaN },
      series: [
        {
          name: 'some',
          // x 0 and -10 have no place on a log axis
          points: zip([10, 100, Number.POSITIVE_INFINITY, 0, -10, 1000], [1, Number.NaN, 2, 3, 3, 4]),
        },
        { name: 'none', points: [[Number.NaN, Number.NEGATIVE_INFINITY]] as Point[] },
      ],
      goal: { y: Number.NaN, label: 'no goal' },
      width: Number.NaN,
    };
    const before = structuredClone(options);
    const source = charts.lineChart(options);
    assert.doesNotMatch(source, /NaN|Infinity|undefined|null/);
    const svg = parseXml(source);
    assertPoints(
      svg,
      {
        ...options,
        width: 720,
        series: [
          {
            name: 'some',
            points: zip([10, 1000], [1, 4]),
          },
          { name: 'none', points: [] },
        ],
      },
      (x) => (Math.log10(x) - 1) / 2,
      (y) => y / 4,
    );
    assert.deepEqual(textsOf(group(svg, 'legend')), ['some', 'none (no data)']);
    assert.equal(groups(svg, 'goal').length, 0);
    assert.deepEqual(options, before, 'the input is left as it was');

    for (const empty of [{ series: [] }, { x: { log: true }, y: { log: true }, series: [{ name: 'a', points: [] }] }]) {
      const blank = charts.lineChart(empty);
      assert.doesNotMatch(blank, /NaN|Infinity|undefined/);
      parseXml(blank);
    }
  });

  it('gives the same string for the same input, and writes it where asked, creating the directory', () => {
    const options = { ...linear, goal: { y: 5, label: 'goal' } };
    const svg = charts.lineChart(options);
    assert.equal(charts.lineChart(structuredClone(options)), svg);
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-charts-'));
    try {
      const path = join(dir, 'docs', 'bench', 'sign-in.svg');
      charts.writeChart(path, svg);
      assert.equal(readFileSync(path, 'utf8'), svg);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
