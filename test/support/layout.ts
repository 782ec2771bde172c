/// <reference lib="dom" />
import type { Page } from 'playwright-core';

/** How far the page is wider than its viewport (0 when nothing overflows sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/**
 * The visible buttons, fields and links a finger or a mouse cannot reach: outside the viewport sideways, or covered
 * at their centre by something else (as the old page's reply box was by the list).
 */
export async function unreachableControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href]')) {
      if (el.closest('dialog:not([open])') || el.closest('.visually-hidden')) continue;
      // Hidden on purpose (the phone's list behind an open conversation): neither seen nor in the tab order.
      if (getComputedStyle(el).visibility === 'hidden') continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} “${(el.textContent || el.getAttribute('aria-label') || el.getAttribute('placeholder') || '').trim().slice(0, 30)}”`;
      if (box.left < 0 || box.right > document.documentElement.clientWidth + 0.5) {
        out.push(`${name} is outside the width (${Math.round(box.left)}–${Math.round(box.right)})`);
        continue;
      }
      let scroller: HTMLElement | null = el.parentElement;
      while (scroller && !(scroller.scrollHeight > scroller.clientHeight && /auto|scroll/.test(getComputedStyle(scroller).overflowY))) {
        scroller = scroller.parentElement;
      }
      if (scroller && scroller !== document.documentElement && scroller !== document.body) {
        const area = scroller.getBoundingClientRect();
        // Inside a scrolled list a control below the fold is reached by scrolling it: only its own box counts.
        if (box.bottom > area.bottom || box.top < area.top) continue;
      }
      if (box.top >= window.innerHeight || box.bottom <= 0) continue;
      const x = box.left + box.width / 2;
      const y = box.top + box.height / 2;
      const hit = document.elementFromPoint(x, y);
      if (hit && hit !== el && !el.contains(hit) && !hit.contains(el)) {
        out.push(`${name} is covered by ${hit.tagName.toLowerCase()}.${hit.className}`);
      }
    }
    return out;
  });
}
