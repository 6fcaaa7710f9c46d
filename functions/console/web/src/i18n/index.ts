// The console's words: one i18next catalogue per language. The language is the one the
// person picked (kept in localStorage), else the first of the browser's languages that
// Roster speaks, else English; <html lang> and every API call's Accept-Language follow it.
import i18next from "i18next";
import { useEffect, useState } from "preact/hooks";
import en from "./en.json";
import zhCN from "./zh-CN.json";

export const languages = ["en", "zh-CN"] as const;
export type Language = (typeof languages)[number];

const storageKey = "roster.language";

export function isLanguage(v: unknown): v is Language {
  return typeof v === "string" && (languages as readonly string[]).includes(v);
}

// match picks Roster's language for a BCP 47 tag: any Chinese is Simplified Chinese
// (the only Chinese the catalogues have), any English is English.
function match(tag: string): Language | undefined {
  const t = tag.toLowerCase();
  if (t === "zh" || t.startsWith("zh-")) return "zh-CN";
  if (t === "en" || t.startsWith("en-")) return "en";
  return undefined;
}

function initial(): Language {
  try {
    const saved = localStorage.getItem(storageKey);
    if (isLanguage(saved)) return saved;
  } catch {
    // storage refused (private mode): fall through to the browser's languages
  }
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of wanted) {
    const l = tag && match(tag);
    if (l) return l;
  }
  return "en";
}

i18next.init({
  initAsync: false,
  lng: initial(),
  fallbackLng: "en",
  supportedLngs: [...languages],
  resources: { en: { translation: en }, "zh-CN": { translation: zhCN } },
  interpolation: { escapeValue: false }, // Preact escapes text itself
  returnNull: false,
});
document.documentElement.lang = i18next.language;

export const t = i18next.t.bind(i18next);

export function language(): Language {
  return isLanguage(i18next.language) ? i18next.language : "en";
}

export function setLanguage(l: Language): void {
  try {
    localStorage.setItem(storageKey, l);
  } catch {
    // not remembered, still switched
  }
  void i18next.changeLanguage(l);
  document.documentElement.lang = l;
}

// useLanguage re-renders its component when the language changes and answers it.
export function useLanguage(): Language {
  const [l, set] = useState(language());
  useEffect(() => {
    const on = () => set(language());
    i18next.on("languageChanged", on);
    return () => i18next.off("languageChanged", on);
  }, []);
  return l;
}

// formatTime writes an RFC 3339 time in the reader's language and time zone.
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(language(), { dateStyle: "medium", timeStyle: "short" }).format(d);
}

// formatWait writes a Retry-After in words: "14 minutes", "45 seconds".
export function formatWait(seconds: number): string {
  if (seconds < 60) return t("errors.wait.seconds", { count: Math.max(1, Math.ceil(seconds)) });
  if (seconds < 3600) return t("errors.wait.minutes", { count: Math.ceil(seconds / 60) });
  return t("errors.wait.hours", { count: Math.ceil(seconds / 3600) });
}

// roleNames writes role names, the built-in ones (owner, admin, member) in words of the
// reader's language; a platform's own roles keep the names they were given.
export function roleNames(names: string[]): string {
  const builtIn = ["owner", "admin", "member"];
  const sep = language() === "zh-CN" ? "、" : ", ";
  return names.map((n) => (builtIn.includes(n) ? t(`roles.${n}`) : n)).join(sep);
}
