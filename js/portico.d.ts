// Type declarations for the Portico ES module (`portico.js`).

/** The signed-in user, as WorkOS AuthKit hands it to the browser. Both
 * AuthKit's camelCase and the REST API's snake_case names are accepted. */
export interface WorkosUser {
  object?: "user";
  /** `user_…` */
  id: string;
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  emailVerified?: boolean;
  first_name?: string | null;
  last_name?: string | null;
  email_verified?: boolean;
  [extra: string]: unknown;
}

/** An organization: its WorkOS id (`org_…`), or the id with a name. */
export type WorkosOrganization = string | { id: string; name?: string | null };

/** Extra facts sent with identify (flat: booleans, numbers, strings). */
export type Traits = Record<string, boolean | number | string>;

/** Keys of every message the widgets show; see docs/theming.md. */
export type MessageKey = string;

export interface PorticoConfig {
  /** Base URL of the Portico API, e.g. `https://billing.example.com`. */
  apiBase?: string;
  /** A portal token minted by your backend, or an AuthKit access token. */
  token?: string;
  /** Asked for a token on first use and once more when one is refused. */
  getToken?: () => Promise<string>;
  /** BCP 47 locale for text, numbers, money and dates; the browser's by default. */
  locale?: string;
  /** Overrides of any message, by key. */
  strings?: Partial<Record<MessageKey, string>>;
}

export interface Identity {
  /** AuthKit's `user`, as it is. */
  user: WorkosUser;
  /** AuthKit's `organizationId` (or `{ id, name }`). */
  organization?: WorkosOrganization;
  organizationId?: string;
  companyTraits?: Traits;
  userTraits?: Traits;
}

export function configure(options: PorticoConfig): Promise<void>;
export function identify(identity: Identity): Promise<void>;
export interface RefreshOptions {
  /**
   * Only these features' entitlements (feature ids), e.g. after recording
   * usage of them; every other widget keeps its data. Throws on a value
   * that is not a list of strings.
   */
  features?: string[];
}

/**
 * Reads the portal data again. Without a session (the portal's wasm or the
 * session could not start), starts one again and resolves when it has.
 */
export function refresh(options?: RefreshOptions): void | Promise<void>;
export function setStrings(strings: Partial<Record<MessageKey, string>>): void;

/** `detail` of `portico:ready`: the portal data has loaded. */
export interface ReadyDetail {
  planId: string;
  planName: string;
  /** `trialing`, `active`, `past-due`, `canceled`; absent on a free plan. */
  status?: "trialing" | "active" | "past-due" | "canceled";
  /** Absent until identify has created the company. */
  companyId?: string;
  canManageBilling: boolean;
}

/**
 * `detail` of `portico:error`: the portal data could not be loaded
 * (`stage: "load"`), or identify was refused (`stage: "identify"`; the
 * portal still shows the token's own company, e.g. when the host named an
 * organization other than the token's). `kind: "module"`: the portal's own
 * wasm could not be loaded; the next `configure`, `identify` or `refresh`
 * tries again.
 */
export interface ErrorDetail {
  stage: "load" | "identify";
  kind: "network" | "timeout" | "unauthenticated" | "forbidden" | "api" | "decode" | "token" | "config" | "module";
  /** The API's error code, e.g. `token_expired`. */
  code?: string;
  message: string;
}

/** `detail` of `portico:plan-changed`: a checkout went through. */
export interface PlanChangedDetail {
  planId: string;
  interval: "month" | "year";
  addons: { addonId: string; quantity: number }[];
  /** RFC 3339; the end of the period for a scheduled downgrade. */
  effectiveAt: string;
  /** Absent when nothing was invoiced (a scheduled change). */
  invoiceId?: string;
}

export interface PorticoEventMap {
  "portico:ready": CustomEvent<ReadyDetail>;
  "portico:error": CustomEvent<ErrorDetail>;
  "portico:plan-changed": CustomEvent<PlanChangedDetail>;
}

/** Every `<portico-…>` element. Attributes: `api-base`, `token`, `locale`,
 * `theme` (`light` | `dark`; follows the system when absent). */
export interface PorticoElement extends HTMLElement {
  tokenSource: (() => Promise<string>) | null;
  addEventListener<K extends keyof PorticoEventMap>(
    type: K,
    listener: (this: PorticoElement, event: PorticoEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

declare global {
  interface HTMLElementTagNameMap {
    "portico-portal": PorticoElement;
    "portico-plan": PorticoElement;
    "portico-entitlements": PorticoElement;
    "portico-plans": PorticoElement;
    "portico-checkout": PorticoElement;
    "portico-upcoming-bill": PorticoElement;
    "portico-invoices": PorticoElement;
    "portico-members": PorticoElement;
    "portico-cancel-subscription": PorticoElement;
  }
  interface DocumentEventMap extends PorticoEventMap {}
}
