import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type DayRange, kyivDayOf, type Preset } from '../kyiv-days';

const presets: Preset[] = ['today', 'week', 'month'];

interface Props {
  preset: Preset | null;
  range: DayRange;
  onPreset(preset: Preset): void;
  onCustom(range: DayRange): void;
}

/** Today, the last 7 or 30 Kyiv days, or any stretch of days from one date to another (both included). */
export function RangePicker({ preset, range, onPreset, onCustom }: Props) {
  const { t } = useTranslation();
  const [fromDay, setFromDay] = useState(range.fromDay);
  const [toDay, setToDay] = useState(range.toDay);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setFromDay(range.fromDay);
    setToDay(range.toDay);
  }, [range]);

  const today = kyivDayOf(new Date());
  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (!fromDay || !toDay) return setProblem(t('dashboard.rangeMissing'));
    if (fromDay > toDay) return setProblem(t('dashboard.rangeBackwards'));
    setProblem(null);
    onCustom({ fromDay, toDay });
  };

  return (
    <div className="range-picker">
      <fieldset className="segmented" id="figures-range" aria-label={t('figures.range')}>
        {presets.map((p) => (
          <button key={p} type="button" aria-pressed={preset === p} onClick={() => onPreset(p)}>
            {t(`dashboard.preset.${p}`)}
          </button>
        ))}
      </fieldset>
      <form className="custom-range" id="custom-range" onSubmit={apply} aria-label={t('dashboard.customRange')}>
        <label>
          <span>{t('dashboard.from')}</span>
          <input type="date" name="from" value={fromDay} max={today} onChange={(e) => setFromDay(e.target.value)} />
        </label>
        <label>
          <span>{t('dashboard.to')}</span>
          <input type="date" name="to" value={toDay} max={today} onChange={(e) => setToDay(e.target.value)} />
        </label>
        <button type="submit" aria-pressed={preset === null}>
          {t('dashboard.show')}
        </button>
        {problem && (
          <p className="form-error" role="alert">
            {problem}
          </p>
        )}
      </form>
    </div>
  );
}
