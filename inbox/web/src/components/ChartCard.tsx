import { BarController, BarElement, CategoryScale, Chart, type ChartConfiguration, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

// Only what the bar charts use: Chart.js draws on a canvas and sets sizes through the CSSOM, which the page's CSP
// allows (no <style> element, no style attribute in markup, no eval).
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
}

interface Props {
  id: string;
  title: string;
  labels: string[];
  series: Series[];
  /** A value as read by a person: on the axis, in the tooltip, in the table and in the text alternative. */
  format(value: number | null): string;
  stacked?: boolean;
  /** Nothing to show in this range: a note instead of empty axes. */
  empty: boolean;
}

/** The tile's type size, so a wall screen's charts are as readable as its text. */
const fontSize = (el: Element) => Math.round(Number.parseFloat(getComputedStyle(el).fontSize || '15') * 0.85);

/**
 * A bar chart with its own text alternative: the canvas is an image whose label reads every value, and a toggle
 * shows the same values as a table.
 */
export function ChartCard({ id, title, labels, series, format, stacked = false, empty }: Props) {
  const { t } = useTranslation();
  const [asTable, setAsTable] = useState(false);
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    if (empty || asTable || !canvas.current) return;
    const size = fontSize(canvas.current);
    const config: ChartConfiguration<'bar', (number | null)[], string> = {
      type: 'bar',
      data: { labels, datasets: series.map((s) => ({ label: s.label, data: s.values, backgroundColor: s.color, borderRadius: 3 })) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        font: { size },
        plugins: {
          legend: { display: series.length > 1, labels: { font: { size }, boxWidth: size } },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${format(item.raw as number | null)}` } },
        },
        scales: {
          x: { stacked, ticks: { font: { size }, autoSkip: true, maxRotation: 0 } },
          y: { stacked, beginAtZero: true, ticks: { font: { size }, precision: 0, callback: (v) => format(Number(v)), maxTicksLimit: 6 } },
        },
      },
    };
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [labels, series, format, stacked, empty, asTable]);

  const summary = `${title}. ${labels
    .map(
      (label, i) => `${label}: ${series.map((s) => `${series.length > 1 ? `${s.label} ` : ''}${format(s.values[i] ?? null)}`).join(', ')}`,
    )
    .join('; ')}`;

  return (
    <section className="chart-card" id={id} aria-labelledby={`${id}-title`} data-empty={empty ? 'true' : undefined}>
      <header>
        <h3 id={`${id}-title`}>{title}</h3>
        {!empty && (
          <button type="button" className="link" aria-pressed={asTable} onClick={() => setAsTable((v) => !v)}>
            {asTable ? t('dashboard.asChart') : t('dashboard.asTable')}
          </button>
        )}
      </header>
      {empty ? (
        <p className="empty-note">{t('dashboard.noData')}</p>
      ) : asTable ? (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a table wider than its tile scrolls, and a keyboard must reach it
        <div className="chart-table" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('dashboard.item')}</th>
                {series.map((s) => (
                  <th scope="col" key={s.label}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {labels.map((label, i) => (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  {series.map((s) => (
                    <td key={s.label}>{format(s.values[i] ?? null)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <div className="chart-box">
          <canvas ref={canvas} role="img" aria-label={summary}>
            {summary}
          </canvas>
        </div>
      )}
    </section>
  );
}
