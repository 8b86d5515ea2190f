import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// jsdom lacks the layout APIs Mantine uses (media queries, resize observers, scrolling): inert stand-ins.
if (!window.matchMedia) {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false,
    }),
  });
}
class NoopResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
globalThis.ResizeObserver ??= NoopResizeObserver as unknown as typeof ResizeObserver;
// Like current Chromium, scrollTo returns a promise: an effect that returns its result breaks React.
Element.prototype.scrollTo = function scrollTo() {
  return Promise.resolve();
} as unknown as Element['scrollTo'];
Element.prototype.scrollIntoView ??= function scrollIntoView() {};
window.HTMLElement.prototype.scrollIntoView ??= function scrollIntoView() {};
Object.defineProperty(window, 'getComputedStyle', { value: window.getComputedStyle, writable: true });

// The machine running these is shared and slow: give transitions and polls time.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});
