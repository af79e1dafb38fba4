// Portico for any web page: custom elements and a small JavaScript API.
//
//   <script type="module">
//     import { configure, identify } from "/portico/portico.js";
//     configure({ apiBase: "https://billing.example.com", getToken: () => myBackend.porticoToken() });
//     identify({ user: authkitUser, organization: authkitOrganizationId });
//   </script>
//   <portico-portal theme="light"></portico-portal>
//
// Every <portico-…> element on the page shares one session: one identify,
// one read of the portal data. Each element renders into its own shadow
// root: host CSS cannot break the widgets, CSS custom properties
// (--portico-*) pass in, and every data-part is exposed as a part, with its
// state as a second part name (e.g. ::part(entitlement-over-limit)).

import { createSession, stylesheet, imports, finish } from "./portico_wasm.js";

const WIDGETS = {
  "portico-portal": "portal",
  "portico-plan": "plan",
  "portico-entitlements": "entitlements",
  "portico-plans": "plans",
  "portico-checkout": "checkout",
  "portico-upcoming-bill": "upcoming-bill",
  "portico-invoices": "invoices",
  "portico-members": "members",
  "portico-cancel-subscription": "cancel-subscription",
};

const MODULE_URL = new URL("./portico_wasm_bg.wasm", import.meta.url);
let loading = null;
let sheet = null;
const config = {};
let identity = null;
let session = null;
let lastState = null;
const elements = new Set();

// The module compiles while it downloads. A server that sends it with
// another type than application/wasm gets a warning and a slower start,
// not a broken page.
async function load(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`portico: cannot load ${url}: HTTP ${response.status}`);
  const wasmImports = imports();
  let result;
  try {
    result = await WebAssembly.instantiateStreaming(response, wasmImports);
  } catch (error) {
    // The type is checked before the body is read, so it is still there.
    if (response.headers.get("Content-Type") === "application/wasm") throw error;
    console.warn("portico: serve .wasm files as application/wasm, so they compile while they download", error);
    result = await WebAssembly.instantiate(await response.arrayBuffer(), wasmImports);
  }
  return finish(result.instance, result.module);
}

// The module, loaded once; a failed load (a server or a network that was
// down) is tried again at the next restart rather than kept.
function loadModule() {
  loading ??= load(MODULE_URL).catch((error) => {
    loading = null;
    throw error;
  });
  return loading;
}

// The download starts at import, while the host configures; a failure is
// announced by the restart that needs the module.
loadModule().catch(() => {});

function widgetSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(stylesheet());
  }
  return sheet;
}

/** Sets the API base, the token (or an async getToken), locale and text overrides. */
export function configure(options = {}) {
  Object.assign(config, options);
  return restart();
}

/**
 * Identifies the signed-in WorkOS user in an organization: pass AuthKit's
 * `user` object as it is, and the organization id (or `{ id, name }`).
 */
export function identify({ user, organization, organizationId, companyTraits, userTraits } = {}) {
  identity = { user, organization: organization ?? organizationId, companyTraits, userTraits };
  return restart();
}

/**
 * Reads the portal data again, e.g. after the host changed something
 * server-side. With `{ features: ["api_calls"] }` it reads only those
 * features' entitlements: the cheap way to update a meter after recording
 * usage.
 */
export function refresh({ features } = {}) {
  // Without a session (the module or the session could not start), this
  // starts one again.
  if (!session) return restart();
  if (features === undefined) session.refresh();
  else session.refreshFeatures(features);
}

/** Overrides any of the widgets' messages by key (see docs/theming.md). */
export function setStrings(strings) {
  config.strings = { ...(config.strings ?? {}), ...strings };
  session?.setStrings(config.strings);
}

function attributeConfig() {
  const merged = { ...config };
  for (const element of elements) {
    merged.apiBase ??= element.getAttribute("api-base") ?? undefined;
    merged.token ??= element.getAttribute("token") ?? undefined;
    merged.locale ??= element.getAttribute("locale") ?? undefined;
    merged.getToken ??= element.tokenSource ?? undefined;
  }
  return merged;
}

// Many calls in one task (every element and attribute at upgrade, then
// configure and identify) restart the session once.
let restarting = Promise.resolve();
let scheduled = false;
function restart() {
  if (scheduled) return restarting;
  scheduled = true;
  restarting = restarting
    .then(() => new Promise((resolve) => setTimeout(resolve, 0)))
    .then(reload);
  return restarting;
}

async function reload() {
  scheduled = false;
  try {
    await loadModule();
  } catch (error) {
    for (const element of elements) element.announce("error", { stage: "load", kind: "module", message: String(error.message ?? error) });
    return;
  }
  for (const element of elements) element.unmountWidget();
  session?.dispose();
  session = null;
  lastState = null;
  const options = attributeConfig();
  if (!identity?.user || !identity?.organization || !options.apiBase || !(options.token || options.getToken)) {
    return;
  }
  try {
    session = createSession({ ...options, ...identity });
  } catch (error) {
    for (const element of elements) element.announce("error", { stage: "load", kind: "config", message: String(error.message ?? error) });
    return;
  }
  session.onChange((kind, detail) => {
    // A refused identify is news, not the portal's state: late elements
    // replay only the load.
    if (detail.stage !== "identify") lastState = { kind, detail };
    for (const element of elements) element.announce(kind, detail);
  });
  for (const element of elements) element.mountWidget();
}

class PorticoElement extends HTMLElement {
  static observedAttributes = ["api-base", "token", "locale", "theme"];

  #mounted = null;
  #observer = null;
  #tokenSource = null;

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  /** An async function returning a portal token (or an AuthKit access token). */
  get tokenSource() {
    return this.#tokenSource;
  }

  set tokenSource(fn) {
    this.#tokenSource = fn;
    if (this.isConnected) restart();
  }

  connectedCallback() {
    elements.add(this);
    if (session) {
      this.mountWidget();
      if (lastState) this.announce(lastState.kind, lastState.detail);
    } else {
      restart();
    }
  }

  disconnectedCallback() {
    elements.delete(this);
    this.unmountWidget();
  }

  attributeChangedCallback(name, previous, value) {
    if (previous === value) return;
    if (name === "theme") {
      this.#mounted?.setTheme(value || undefined);
    } else if (this.isConnected) {
      restart();
    }
  }

  mountWidget() {
    if (!session || this.#mounted) return;
    this.shadowRoot.adoptedStyleSheets = [widgetSheet()];
    const container = document.createElement("div");
    this.shadowRoot.replaceChildren(container);
    this.#mounted = session.mount(container, WIDGETS[this.localName], this.getAttribute("theme") || undefined);
    this.#exposeParts();
  }

  unmountWidget() {
    this.#observer?.disconnect();
    this.#observer = null;
    this.#mounted?.unmount();
    this.#mounted?.free();
    this.#mounted = null;
    this.shadowRoot.replaceChildren();
  }

  announce(kind, detail) {
    this.dispatchEvent(new CustomEvent(`portico:${kind}`, { detail, bubbles: true, composed: true }));
  }

  // Mirrors data-part / data-state onto `part`, so hosts can style any part
  // with ::part(name) and any state with ::part(name-state).
  #exposeParts() {
    const mirror = (element) => {
      const part = element.getAttribute("data-part");
      const state = element.getAttribute("data-state");
      element.setAttribute("part", state ? `${part} ${part}-${state}` : part);
    };
    this.shadowRoot.querySelectorAll("[data-part]").forEach(mirror);
    this.#observer = new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === "attributes" && record.target.hasAttribute("data-part")) mirror(record.target);
        for (const node of record.addedNodes ?? []) {
          if (node.nodeType !== 1) continue;
          if (node.hasAttribute("data-part")) mirror(node);
          node.querySelectorAll("[data-part]").forEach(mirror);
        }
      }
    });
    this.#observer.observe(this.shadowRoot, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["data-part", "data-state"],
    });
  }
}

for (const [name] of Object.entries(WIDGETS)) {
  if (!customElements.get(name)) customElements.define(name, class extends PorticoElement {});
}
