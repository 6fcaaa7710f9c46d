import { render } from "preact";
import "./styles.css";
import "./i18n";
import { App } from "./app";
import { start } from "./session";

void start();
render(<App />, document.getElementById("app")!);
