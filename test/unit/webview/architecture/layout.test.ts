// The architecture diagram's layout at every panel width from the side bar's 280 px to a full
// 1600 px screen: nothing sticks out, no label meets another label, a box or a line, rows wrap
// only when needed, and a block's thickness grows with its channel count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxOf, blocksOf, estimateWidth, layoutDiagram, textRect, type ArchitectureModel, type DiagramLayout, type Rect } from '../../../../src/webview/shared/architecture/layout';
import { makeSpec, VARIANTS } from '../../../../src/engine/model/spec';
import { layerRows } from '../../../../src/engine/modelFile/inspectFile';

function model(variant: (typeof VARIANTS)[number]): ArchitectureModel {
  const spec = makeSpec(variant);
  const layers = layerRows(spec);
  return { variant, inputSize: spec.inputSize, layers, numClasses: 1000, totalParams: layers.reduce((a, l) => a + l.params, 0), totalFlops: layers.reduce((a, l) => a + l.flops, 0) };
}

const overlap = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const boxRect = (p: DiagramLayout['blocks'][number]): Rect => ({ x: p.front.x, y: p.front.y - p.d, w: p.front.w + p.d, h: p.front.h + p.d });
/** Whether the axis-parallel segment a-b passes through the rectangle. */
function crosses([x1, y1]: [number, number], [x2, y2]: [number, number], r: Rect): boolean {
  const seg = { x: Math.min(x1, x2), y: Math.min(y1, y2), w: Math.abs(x2 - x1) || 0.01, h: Math.abs(y2 - y1) || 0.01 };
  return overlap(seg, r);
}

function problems(l: DiagramLayout, maxWidth: number): string[] {
  const out: string[] = [];
  if (l.width > maxWidth) out.push(`${l.width} px wide in ${maxWidth}`);
  const texts = [...l.blocks.flatMap((b) => b.labels), ...l.arrows.flatMap((a) => a.labels)];
  const rects = texts.map(textRect);
  const boxes = l.blocks.map(boxRect);
  rects.forEach((r, i) => {
    if (r.x < 0 || r.y < 0 || r.x + r.w > l.width || r.y + r.h > l.height) out.push(`"${texts[i].text}" outside the diagram`);
    for (let j = i + 1; j < rects.length; j++) if (overlap(r, rects[j])) out.push(`"${texts[i].text}" meets "${texts[j].text}"`);
    boxes.forEach((b, k) => overlap(r, b) && out.push(`"${texts[i].text}" meets the ${l.blocks[k].block.name} box`));
    for (const a of l.arrows) for (let s = 1; s < a.points.length; s++) if (crosses(a.points[s - 1], a.points[s], r) && !a.labels.includes(texts[i])) out.push(`a line crosses "${texts[i].text}"`);
  });
  boxes.forEach((b, i) => {
    for (let j = i + 1; j < boxes.length; j++) if (overlap(b, boxes[j])) out.push(`${l.blocks[i].block.name} meets ${l.blocks[j].block.name}`);
  });
  return out;
}

for (const variant of VARIANTS) {
  test(`${variant}: no overlaps and no sideways scroll at widths 280..1600`, () => {
    const m = model(variant);
    let lastRows = Infinity;
    for (let w = 280; w <= 1600; w += 10) {
      const l = layoutDiagram(m, w, estimateWidth);
      assert.deepEqual(problems(l, w), [], `at ${w} px`);
      assert.ok(l.rows <= lastRows, `a wider panel never needs more rows (${w} px: ${l.rows})`);
      lastRows = l.rows;
      // every block is drawn, fc8 and softmax included
      assert.deepEqual(l.blocks.map((b) => b.block.name), blocksOf(m).map((b) => b.name));
    }
    assert.equal(layoutDiagram(m, 1600, estimateWidth).rows, 1, 'a full-width panel holds the whole network in one row');
    assert.ok(layoutDiagram(m, 280, estimateWidth).rows >= 5, 'the side bar wraps');
  });
}

test('a column grows with a label, so a long one still meets nothing', () => {
  const m = model('torchvision');
  const wide = { ...m, layers: m.layers.map((l) => (l.name === 'fc6' ? { ...l, name: 'a-very-long-layer-name-indeed' } : l)) };
  for (const w of [300, 700, 1600]) assert.deepEqual(problems(layoutDiagram(wide, w, estimateWidth), w), []);
});

test('block thickness follows the channel count; height follows the spatial size', () => {
  const blocks = blocksOf(model('torchvision'));
  const by = (n: string) => boxOf(blocks.find((b) => b.name === n)!);
  assert.ok(by('conv1').w < by('conv2').w && by('conv2').w < by('conv3').w, 'conv1 (64) < conv2 (192) < conv3 (384)');
  assert.ok(by('conv4').w < by('conv3').w && by('conv4').w === by('conv5').w, 'conv4 and conv5 (256) are thinner than conv3 (384)');
  assert.ok(by('input').h > by('conv1').h && by('conv1').h > by('conv3').h);
});

test('wrapped rows are balanced: no short last row under a long first one', () => {
  const m = model('torchvision');
  for (const w of [500, 800, 1100, 1250]) {
    const l = layoutDiagram(m, w, estimateWidth);
    const perRow = new Map<number, number>();
    for (const b of l.blocks) perRow.set(b.column.y, (perRow.get(b.column.y) ?? 0) + 1);
    const counts = [...perRow.values()];
    assert.ok(l.rows > 1, `${w} px wraps`);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 2, `${w} px: blocks per row ${counts.join(', ')}`);
  }
});
