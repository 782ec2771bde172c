/**
 * Text for what WhatsApp sends as structured data, so a manager reads it in the thread: a filled-in Flow form, a
 * cart from the catalog.
 */

/** The token Meta adds to every Flow reply; it identifies the flow run, not anything the customer entered. */
const flowBookkeeping = new Set(['flow_token']);

const shown = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** `field: value` lines of a Flow form reply; the reply's own body ("Sent") when the fields cannot be read. */
export function formFieldsText(form: { name?: string; body?: string; response_json?: string }): string {
  let fields: unknown;
  try {
    fields = form.response_json ? JSON.parse(form.response_json) : undefined;
  } catch {
    fields = undefined;
  }
  const lines =
    fields && typeof fields === 'object' && !Array.isArray(fields)
      ? Object.entries(fields)
          .filter(([key]) => !flowBookkeeping.has(key))
          .map(([key, value]) => `${key}: ${shown(value)}`)
      : [];
  if (lines.length === 0) return form.body || form.response_json || 'form submitted';
  return lines.join('\n');
}

interface OrderItem {
  product_retailer_id: string;
  quantity: number;
  item_price: number;
  currency: string;
}

const money = (amount: number): string => (Math.round(amount * 100) / 100).toString();

/** One line per product (quantity × id @ price), the customer's note, and the total per currency. */
export function orderText(order: { text?: string; product_items: readonly OrderItem[] }): string {
  const totals = new Map<string, number>();
  const lines = order.product_items.map((item) => {
    totals.set(item.currency, (totals.get(item.currency) ?? 0) + item.quantity * item.item_price);
    return `${item.quantity} × ${item.product_retailer_id} @ ${money(item.item_price)} ${item.currency}`;
  });
  const total = [...totals].map(([currency, amount]) => `${money(amount)} ${currency}`).join(' + ');
  return [order.text?.trim() ? order.text.trim() : undefined, 'Order:', ...lines, `Total: ${total || '0'}`]
    .filter((line) => line !== undefined)
    .join('\n');
}
