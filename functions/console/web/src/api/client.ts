// The typed API client: paths and bodies come from the OpenAPI document (schema.d.ts is
// generated from internal/openapi/openapi.json by `npm run gen`). Same origin as the
// API, so every URL is a relative /v1 one. The access token lives only in this
// module's memory; the refresh token is an HttpOnly cookie the page never sees, sent
// only to /v1/auth and only read when the request says X-Roster-Session: cookie.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";
import { language } from "../i18n";
import { networkError, toApiError, type ApiError } from "./errors";

export type Schemas = components["schemas"];
// locale is part of the user in the shared contract; the document may not carry it yet.
export type User = Schemas["User"] & { locale?: string };
export type Me = Omit<Schemas["Me"], "user"> & { user: User };
export type Tokens = { accessToken: string; idToken?: string; expiresIn?: number };
export type Challenge = Schemas["Challenge"];

// The routes whose answers carry tokens, and the ones that read or clear the cookie.
const cookieRoutes = new Set(["/v1/auth/login", "/v1/auth/challenge", "/v1/me/password", "/v1/auth/refresh", "/v1/auth/logout"]);

let accessToken: string | null = null;

export function setAccessToken(token: string | null): void {
  accessToken = token;
}

export function hasAccessToken(): boolean {
  return accessToken !== null;
}

export const client = createClient<paths>({ baseUrl: "" });

client.use({
  onRequest({ request, schemaPath }) {
    request.headers.set("Accept-Language", language());
    // The sign-in routes are public: no bearer goes to them but to logout.
    const bearer = !schemaPath.startsWith("/v1/auth/") || schemaPath === "/v1/auth/logout";
    if (accessToken && bearer) {
      request.headers.set("Authorization", `Bearer ${accessToken}`);
    }
    if (cookieRoutes.has(schemaPath)) request.headers.set("X-Roster-Session", "cookie");
    return request;
  },
});

export type Result<D> = { ok: true; data: D; response: Response } | { ok: false; error: ApiError };

type Answer<D> = { data?: D; error?: unknown; response: Response };

// call runs a request to a public route and turns its answer into a Result.
export async function call<D>(request: () => Promise<Answer<D>>): Promise<Result<D>> {
  let answer: Answer<D>;
  try {
    answer = await request();
  } catch {
    return { ok: false, error: networkError() };
  }
  if (answer.response.ok) return { ok: true, data: answer.data as D, response: answer.response };
  return { ok: false, error: toApiError(answer.response, answer.error) };
}

// Hooks the session installs: what to do when a signed-in request finds the session
// gone (after one refresh) or the account frozen.
export const sessionHooks = {
  expired: () => {},
  frozen: () => {},
};

// authed runs a request that needs the access token. A 401 gets one refresh through
// the cookie and one more try; a second 401 ends the session.
export async function authed<D>(request: () => Promise<Answer<D>>): Promise<Result<D>> {
  let r = await call(request);
  if (!r.ok && r.error.status === 401) {
    if (await refresh()) r = await call(request);
    if (!r.ok && r.error.status === 401) sessionHooks.expired();
  }
  if (!r.ok && r.error.code === "account_frozen") sessionHooks.frozen();
  return r;
}

let refreshing: Promise<Result<Tokens>> | null = null;

// refreshTokens asks for new tokens with the cookie; concurrent callers share one request.
export function refreshTokens(): Promise<Result<Tokens>> {
  if (!refreshing) {
    refreshing = call<Tokens>(() =>
      // With X-Roster-Session: cookie the body is {} and the cookie is the refresh token.
      client.POST("/v1/auth/refresh", { body: {} as never }) as Promise<Answer<Tokens>>,
    ).then((r) => {
      refreshing = null;
      setAccessToken(r.ok ? r.data.accessToken : null);
      return r;
    });
  }
  return refreshing;
}

async function refresh(): Promise<boolean> {
  const r = await refreshTokens();
  if (!r.ok && r.error.code === "account_frozen") sessionHooks.frozen();
  return r.ok;
}

export function isChallenge(v: unknown): v is Challenge {
  return typeof v === "object" && v !== null && "challenge" in v && "session" in v;
}
