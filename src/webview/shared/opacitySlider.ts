// The "map over image" opacity slider the feature-maps view and the side panel share: 0 shows the
// image alone, 100 the map alone. `onInput` redraws while dragging; `onChange` (once per drag) saves.
import { h } from './dom';

export function opacitySlider(opacity: number, label: string, onInput: (opacity: number) => void, onChange?: () => void): HTMLElement {
  const value = Math.round(opacity * 100);
  const input = h('input', { id: 'overlay-opacity', type: 'range', min: '0', max: '100', step: '5', value: String(value), 'aria-label': 'Map opacity over the image, percent' }) as HTMLInputElement;
  const out = h('span', { class: 'meta' }, `${value}%`);
  input.addEventListener('input', () => {
    out.textContent = `${input.value}%`;
    onInput(Number(input.value) / 100);
  });
  if (onChange) input.addEventListener('change', onChange);
  return h('label', { class: 'opacity-row' }, label, input, out);
}
