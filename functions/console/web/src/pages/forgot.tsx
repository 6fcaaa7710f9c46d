import { t, useLanguage } from "../i18n";
import { Page } from "../components/ui";

export function ForgotPassword(_: Record<string, unknown>) {
  useLanguage();
  return <Page title={t("forgot.title")}>{null}</Page>;
}
