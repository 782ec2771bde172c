import i18next from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import { en } from './locales/en';
import { uk } from './locales/uk';

export const languages = ['uk', 'en'] as const;
export type Language = (typeof languages)[number];
export const languageNames: Record<Language, string> = { uk: 'Українська', en: 'English' };

/** The browser's language on a first visit (Ukrainian unless it asks for English), then the one chosen, remembered. */
export const i18n = i18next.createInstance();
void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { en: { translation: en }, uk: { translation: uk } },
    supportedLngs: [...languages],
    nonExplicitSupportedLngs: true,
    load: 'languageOnly',
    fallbackLng: 'uk',
    interpolation: { escapeValue: false },
    detection: { order: ['localStorage', 'navigator'], lookupLocalStorage: 'inbox.language', caches: ['localStorage'] },
    initAsync: false,
  });

export function currentLanguage(): Language {
  const lng = i18n.resolvedLanguage;
  return lng === 'en' ? 'en' : 'uk';
}

const applyLang = () => {
  document.documentElement.lang = currentLanguage();
};
i18n.on('languageChanged', applyLang);
applyLang();
