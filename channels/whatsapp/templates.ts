import { z } from 'zod';
import type { ApprovedTemplate, TemplateCatalog } from '../../shared/channel-adapter';
import type { GraphClient } from '../meta/graph';

const component = z.looseObject({
  type: z.string(),
  format: z.string().optional(),
  text: z.string().optional(),
  buttons: z.array(z.looseObject({ type: z.string(), url: z.string().optional() })).optional(),
});
const templatePage = z.looseObject({
  data: z.array(
    z.looseObject({
      name: z.string().min(1),
      language: z.string().min(2),
      status: z.string(),
      category: z.string().default(''),
      parameter_format: z.string().optional(),
      components: z.array(component).default([]),
    }),
  ),
  paging: z.looseObject({ next: z.string().optional(), cursors: z.looseObject({ after: z.string().optional() }).optional() }).optional(),
});
type TemplateEntry = z.infer<typeof templatePage>['data'][number];

/** Graph pages of 100; a business keeps at most a few hundred templates, so ten pages are all of them. */
const PAGE_SIZE = 100;
const MAX_PAGES = 10;
/** Templates change when someone edits them in Meta's manager, rarely; a manager opening the picker again reuses the list. */
const CACHE_MS = 5 * 60_000;

const positional = /\{\{(\d+)\}\}/g;
const placeholder = /\{\{[^}]*\}\}/;

/**
 * The template as a manager can send it, or null when it needs what the sender does not fill: a value outside the
 * body (a header's text or media, a button's URL), named values, or a one-time code (authentication templates).
 */
export function pickable(entry: TemplateEntry): ApprovedTemplate | null {
  if (entry.status !== 'APPROVED' || entry.category === 'AUTHENTICATION' || entry.parameter_format === 'NAMED') return null;
  const body = entry.components.find((c) => c.type === 'BODY')?.text;
  if (body === undefined) return null;
  for (const c of entry.components) {
    if (c.type === 'HEADER' && (c.format !== 'TEXT' || placeholder.test(c.text ?? ''))) return null;
    if (c.type === 'BUTTONS' && c.buttons?.some((b) => placeholder.test(b.url ?? ''))) return null;
  }
  const numbers = [...body.matchAll(positional)].map((m) => Number(m[1]));
  // {{name}}-style values in the body without the template saying NAMED: the sender could not fill them either.
  if (placeholder.test(body.replace(positional, ''))) return null;
  return { name: entry.name, language: entry.language, category: entry.category, body, params: Math.max(0, ...numbers) };
}

/** The business account's approved templates, from the Graph API's `/<WABA_ID>/message_templates`. */
export class WhatsAppTemplates implements TemplateCatalog {
  private cached: { at: number; list: Promise<ApprovedTemplate[]> } | undefined;

  constructor(
    private readonly graph: GraphClient,
    private readonly businessAccountId: string,
    private readonly now: () => number = Date.now,
  ) {}

  approved(): Promise<ApprovedTemplate[]> {
    if (this.cached && this.now() - this.cached.at < CACHE_MS) return this.cached.list;
    const list = this.fetchAll();
    this.cached = { at: this.now(), list };
    // A failed fetch is not kept: the next manager to open the picker asks Meta again.
    list.catch(() => {
      if (this.cached?.list === list) this.cached = undefined;
    });
    return list;
  }

  private async fetchAll(): Promise<ApprovedTemplate[]> {
    const found: ApprovedTemplate[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const raw = await this.graph.get<unknown>(`${this.businessAccountId}/message_templates`, {
        fields: 'name,language,status,category,parameter_format,components',
        status: 'APPROVED',
        limit: String(PAGE_SIZE),
        ...(after ? { after } : {}),
      });
      const parsed = templatePage.parse(raw);
      for (const entry of parsed.data) {
        const template = pickable(entry);
        if (template) found.push(template);
      }
      after = parsed.paging?.cursors?.after;
      if (!parsed.paging?.next || !after) break;
    }
    return found.sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language));
  }
}
