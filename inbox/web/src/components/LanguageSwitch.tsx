import { useTranslation } from 'react-i18next';
import { currentLanguage, type Language, languageNames, languages } from '../i18n';

/** Українська / English; the choice is remembered in this browser. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const lng = currentLanguage();
  return (
    <fieldset className="segmented language" aria-label={t('top.language')}>
      {languages.map((l: Language) => (
        <button key={l} type="button" lang={l} aria-pressed={l === lng} onClick={() => void i18n.changeLanguage(l)}>
          {l === 'uk' ? 'УКР' : 'EN'}
          <span className="visually-hidden"> {languageNames[l]}</span>
        </button>
      ))}
    </fieldset>
  );
}
