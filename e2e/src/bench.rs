//! Browser-side measurements for `cargo xtask bench`, over the same
//! WebDriver client as the end-to-end tests.
//!
//! Timings are taken inside the page with `performance.now()` and read back
//! afterwards, so the WebDriver round trips that poll for completion never
//! show up in a number. A recorder script is installed before any page
//! script runs (Chromium's `Page.addScriptToEvaluateOnNewDocument`, through
//! chromedriver's CDP endpoint): it watches the DOM from the first byte, so
//! it sees the moment the portal's data appears.
//!
//! Marks read here are the provider's: `portico:mount` when the provider
//! mounts, `portico:data` each time data arrives (after the JSON is parsed,
//! before the DOM is updated).

use std::time::Duration;

use serde_json::{json, Value};

use crate::{Browser, Result};

/// Installed into every new document of a session. It watches for what
/// the page's URL fragment names (`#portico-bench=` and a URI-encoded
/// `{"selector": …, "count": …}`, which the host page ignores), and sets in
/// `window.__porticoBench`, once the DOM first matches the selector `count`
/// times: `shownAt` (the mutation that made it so), `frameAt` (the start
/// of the next animation frame after that) and `paintedAt` (the first task
/// after that frame: its style, layout and paint are done).
const RECORDER: &str = r#"
(() => {
  const bench = window.__porticoBench = { shownAt: null, frameAt: null, paintedAt: null };
  const found = /[#&]portico-bench=([^&]*)/.exec(location.hash);
  if (!found) return;
  const watch = JSON.parse(decodeURIComponent(found[1]));
  const check = () => {
    if (bench.shownAt !== null) return;
    if (document.querySelectorAll(watch.selector).length < watch.count) return;
    bench.shownAt = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => {
      bench.frameAt = performance.now();
      setTimeout(() => { bench.paintedAt = performance.now(); }, 0);
    });
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, attributes: true });
})();
"#;

/// Installs the recorder into every document this session opens from now
/// on. Call once per session, before the first [`load_and_watch`].
pub fn install_recorder(browser: &Browser) -> Result<()> {
    browser
        .command(
            "POST",
            "/goog/cdp/execute",
            Some(json!({
                "cmd": "Page.addScriptToEvaluateOnNewDocument",
                "params": { "source": RECORDER },
            })),
        )
        .map(|_| ())
}

/// Delays every request of this browser session by `latency_ms` (Chromium's
/// network emulation; 0 turns it off), to time the portal as it loads over
/// a real network rather than loopback.
pub fn emulate_latency(browser: &Browser, latency_ms: f64) -> Result<()> {
    let cdp = |cmd: &str, params: Value| {
        browser.command(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
    };
    cdp("Network.enable", json!({}))?;
    cdp(
        "Network.emulateNetworkConditions",
        json!({
            "offline": false,
            "latency": latency_ms,
            "downloadThroughput": -1,
            "uploadThroughput": -1,
        }),
    )
    .map(|_| ())
}

/// When the DOM first showed the data, relative to the provider's marks.
#[derive(Debug, Clone)]
pub struct RenderTiming {
    /// `portico:mount` → `portico:data`: the round trip, JSON included.
    pub mount_to_data_ms: f64,
    /// `portico:mount` → the watched elements all in the DOM.
    pub mount_to_shown_ms: f64,
    /// `portico:data` → the watched elements all in the DOM: work in the
    /// page after the data arrived.
    pub data_to_shown_ms: f64,
    /// `portico:data` → the start of the next animation frame after the DOM
    /// showed the data.
    pub data_to_frame_ms: f64,
    /// The DOM showing the data → the end of the frame that paints it
    /// (style, layout and paint): what it takes to be seen.
    pub shown_to_painted_ms: f64,
    /// `portico:members-data` (the Members widget's list arrived, a second
    /// read after the portal's) → the watched elements all in the DOM;
    /// `None` on pages without that mark.
    pub members_data_to_shown_ms: Option<f64>,
}

/// Opens `url` and waits until `selector` matches at least `count`
/// elements (and one animation frame has started after that), then reads
/// when that happened. Needs [`install_recorder`] first.
pub fn load_and_watch(
    browser: &Browser,
    url: &str,
    selector: &str,
    count: u64,
    timeout: Duration,
) -> Result<RenderTiming> {
    let watch = json!({ "selector": selector, "count": count }).to_string();
    let url = format!("{url}#portico-bench={}", uri_encode(&watch));
    // From a blank page, so that the same URL twice is still a new
    // document (only the fragment would change otherwise: no reload).
    browser.goto("about:blank")?;
    browser.goto(&url)?;
    browser.wait_for(
        "window.__porticoBench && window.__porticoBench.paintedAt !== null",
        timeout,
    )?;
    let value = browser.execute(
        r#"
        const mount = performance.getEntriesByName('portico:mount')[0];
        const data = performance.getEntriesByName('portico:data')[0];
        const members = performance.getEntriesByName('portico:members-data').at(-1);
        const bench = window.__porticoBench;
        if (!mount || !data) return null;
        return {
          members_data_to_shown_ms: members ? bench.shownAt - members.startTime : null,
          mount_to_data_ms: data.startTime - mount.startTime,
          mount_to_shown_ms: bench.shownAt - mount.startTime,
          data_to_shown_ms: bench.shownAt - data.startTime,
          data_to_frame_ms: bench.frameAt - data.startTime,
          shown_to_painted_ms: bench.paintedAt - bench.shownAt,
        };
        "#,
        vec![],
    )?;
    if value.is_null() {
        return Err("the page has no portico:mount / portico:data marks".to_owned());
    }
    let ms = |name: &str| value[name].as_f64().unwrap_or(f64::NAN);
    Ok(RenderTiming {
        mount_to_data_ms: ms("mount_to_data_ms"),
        mount_to_shown_ms: ms("mount_to_shown_ms"),
        data_to_shown_ms: ms("data_to_shown_ms"),
        data_to_frame_ms: ms("data_to_frame_ms"),
        shown_to_painted_ms: ms("shown_to_painted_ms"),
        members_data_to_shown_ms: value["members_data_to_shown_ms"].as_f64(),
    })
}

/// `encodeURIComponent` for ASCII: everything but letters and digits
/// percent-encoded.
fn uri_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// How long one refresh of the portal took to show a changed value.
#[derive(Debug, Clone)]
pub struct UpdateTiming {
    /// From calling the page's refresh to the element's text changing:
    /// the round trip and the re-render.
    pub refresh_to_shown_ms: f64,
    /// From the refresh's `portico:data` mark to the text changing: the
    /// re-render alone.
    pub data_to_shown_ms: f64,
    /// The refresh's API request in the browser's Resource Timing, from
    /// the page handing it to fetch to the last byte of the answer: the
    /// browser's network stack and the server, none of the page's work.
    pub request_ms: f64,
    pub text_before: String,
    pub text_after: String,
}

/// Calls `refresh` (a JavaScript expression that makes the portal reload
/// its data, e.g. a bench-only hook of the host page) and times until the
/// text of `selector` changes.
pub fn time_update(
    browser: &Browser,
    refresh: &str,
    selector: &str,
    timeout: Duration,
) -> Result<UpdateTiming> {
    let script = format!(
        r#"
        const el = document.querySelector(arguments[0]);
        if (!el) return false;
        const update = window.__porticoBenchUpdate = {{ before: el.textContent, after: null, start: null, shownAt: null }};
        const observer = new MutationObserver(() => {{
          const now = document.querySelector(arguments[0]);
          if (update.shownAt === null && now && now.textContent !== update.before) {{
            update.shownAt = performance.now();
            update.after = now.textContent;
            observer.disconnect();
          }}
        }});
        observer.observe(document.body, {{ childList: true, subtree: true, characterData: true }});
        update.start = performance.now();
        {refresh};
        return true;
        "#
    );
    if browser.execute(&script, vec![json!(selector)])? != Value::Bool(true) {
        return Err(format!("no element {selector} to watch"));
    }
    browser.wait_for(
        "window.__porticoBenchUpdate && window.__porticoBenchUpdate.shownAt !== null",
        timeout,
    )?;
    let value = browser.execute(
        r#"
        const update = window.__porticoBenchUpdate;
        const data = performance.getEntriesByName('portico:data')
          .filter(e => e.startTime >= update.start).pop();
        const request = performance.getEntriesByType('resource')
          .filter(e => e.startTime >= update.start && new URL(e.name).pathname.startsWith('/v1/portal'))
          .pop();
        return {
          refresh_to_shown_ms: update.shownAt - update.start,
          data_to_shown_ms: data ? update.shownAt - data.startTime : null,
          request_ms: request ? request.responseEnd - request.startTime : null,
          before: update.before,
          after: update.after,
        };
        "#,
        vec![],
    )?;
    Ok(UpdateTiming {
        refresh_to_shown_ms: value["refresh_to_shown_ms"].as_f64().unwrap_or(f64::NAN),
        data_to_shown_ms: value["data_to_shown_ms"].as_f64().unwrap_or(f64::NAN),
        request_ms: value["request_ms"].as_f64().unwrap_or(f64::NAN),
        text_before: value["before"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_owned(),
        text_after: value["after"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_owned(),
    })
}

/// A fixed piece of page work, timed in this browser: what the machine
/// itself does to every timing beside it. Timings of the same build moved
/// by a fifth to a half between machines of the same kind (and move with
/// their load), so a figure is compared with another only beside this one.
///
/// The work is what a long list costs the page, without Portico: 1,000
/// rows of an entitlement list's shape (a `li` with a header and two
/// texts, a third with a meter), each cloned from a prototype, given its
/// attributes and texts, and appended to a list out of the document. The
/// median of nine rounds, after one to warm up, in milliseconds. It is
/// written out here on purpose rather than calling `built_row.js`, whose
/// shape it copies: the yardstick must not move when Portico's builders do.
pub fn dom_workload_ms(browser: &Browser) -> Result<f64> {
    let value = browser.execute(
        r#"
        const part = (tag, name) => {
          const element = document.createElement(tag);
          element.setAttribute('data-part', name);
          return element;
        };
        const prototype = part('li', 'row');
        const header = part('div', 'header');
        header.append(part('span', 'name'), part('span', 'value'));
        prototype.append(header);
        const meter = part('div', 'meter');
        meter.append(part('div', 'fill'));
        const round = () => {
          const list = document.createElement('ul');
          const start = performance.now();
          for (let i = 0; i < 1000; i++) {
            const fields = JSON.parse(`["on","limit","f${i}","Feature ${i}","${i} of 1,000"]`);
            const row = prototype.cloneNode(true);
            row.setAttribute('data-state', fields[0]);
            row.setAttribute('data-kind', fields[1]);
            row.setAttribute('data-feature', fields[2]);
            const name = row.firstElementChild.firstElementChild;
            name.textContent = fields[3];
            name.nextElementSibling.textContent = fields[4];
            if (i % 3 === 0) {
              const bar = meter.cloneNode(true);
              bar.setAttribute('aria-valuenow', String(i));
              bar.firstElementChild.style.setProperty('--fill', `${i / 10}%`);
              row.append(bar);
            }
            list.append(row);
          }
          return performance.now() - start;
        };
        round();
        return Array.from({ length: 9 }, round);
        "#,
        vec![],
    )?;
    let rounds: Vec<f64> = value
        .as_array()
        .map(|rounds| rounds.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    if rounds.len() != 9 {
        return Err(format!("the DOM workload returned {value}"));
    }
    Ok(median_p90(&rounds).0)
}

/// [`median_p90`] of one figure of each run.
pub fn median_p90_of<T>(runs: &[T], figure: impl Fn(&T) -> f64) -> (f64, f64) {
    median_p90(&runs.iter().map(figure).collect::<Vec<_>>())
}

/// The median and 90th percentile (nearest rank) of some samples.
pub fn median_p90(samples: &[f64]) -> (f64, f64) {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    sorted.sort_by(f64::total_cmp);
    let rank = |p: f64| {
        let index = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
        sorted[index]
    };
    let median = if sorted.len() % 2 == 1 {
        sorted[sorted.len() / 2]
    } else {
        (sorted[sorted.len() / 2 - 1] + sorted[sorted.len() / 2]) / 2.0
    };
    (median, rank(0.9))
}

#[cfg(test)]
mod tests {
    use super::median_p90;

    #[test]
    fn median_and_p90_by_nearest_rank() {
        let samples: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(median_p90(&samples), (10.5, 18.0));
        assert_eq!(median_p90(&[3.0, 1.0, 2.0]), (2.0, 3.0));
        assert!(median_p90(&[]).0.is_nan());
    }
}
