// A form that sends itself: the admin pages' forms and dialogs are all this shape.
import type { ComponentChildren } from "preact";
import type { Form } from "../form";
import { FormAlert, Submit, onSubmit } from "./ui";

export interface SendFormProps<K extends string> {
  form: Form<K>;
  // send is what the form does once its fields pass their checks (the form is busy meanwhile).
  send: () => Promise<void>;
  submit: string; // the submit button's words
  secondary?: boolean; // a submit button that is not the page's main action
  intro?: ComponentChildren; // above the form's alert
  actions?: ComponentChildren; // beside the submit button
  children: ComponentChildren;
}

// SendForm is a form with its alert first, then its fields, then its submit button.
export function SendForm<K extends string>(p: SendFormProps<K>) {
  return (
    <form noValidate onSubmit={onSubmit(() => p.form.submit(p.send))}>
      {p.intro}
      <FormAlert form={p.form} />
      {p.children}
      <div class="actions">
        <Submit busy={p.form.busy} secondary={p.secondary}>
          {p.submit}
        </Submit>
        {p.actions}
      </div>
    </form>
  );
}
