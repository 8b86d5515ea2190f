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
// (Defined, not assigned: lib.dom types scrollTo as returning void, and this stand-in deliberately doesn't.)
Object.defineProperty(Element.prototype, 'scrollTo', {
  value: function scrollTo() {
    return Promise.resolve();
  },
  writable: true,
  configurable: true,
});
if (!Element.prototype.scrollIntoView) Element.prototype.scrollIntoView = function scrollIntoView() {};
if (!window.HTMLElement.prototype.scrollIntoView)
  window.HTMLElement.prototype.scrollIntoView = function scrollIntoView() {};
// Writable so a test can stub it; bound so a caller that detaches it still reaches the window.
Object.defineProperty(window, 'getComputedStyle', {
  value: window.getComputedStyle.bind(window),
  writable: true,
});

// The machine running these is shared and slow: give transitions and polls time.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});
