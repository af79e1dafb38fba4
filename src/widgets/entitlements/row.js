// One entitlement row from its fields, in one call from the wasm (see
// row.rs): a clone of a prototype row with only the row's own data set.
// The markup here is the markup `EntitlementRow::write_html` writes; a browser
// test holds the two together.

let prototypes = null;

function part(tag, name) {
  const element = document.createElement(tag);
  element.setAttribute('data-part', name);
  return element;
}

function makePrototypes() {
  const row = part('li', 'entitlement');
  const header = part('div', 'entitlement-header');
  header.append(part('span', 'entitlement-name'), part('span', 'entitlement-value'));
  row.append(header);
  const meter = part('div', 'meter');
  meter.append(part('div', 'meter-fill'));
  return { row, meter, note: part('p', 'entitlement-note') };
}

// `fields` is a JSON array: state, kind, feature id, name, value; then the
// meter's state, max, now and fill, or null; then each note's state and text.
export function build_entitlement_row(fields) {
  const f = JSON.parse(fields);
  prototypes ??= makePrototypes();
  const row = prototypes.row.cloneNode(true);
  row.setAttribute('data-state', f[0]);
  row.setAttribute('data-kind', f[1]);
  row.setAttribute('data-feature', f[2]);
  const name = row.firstElementChild.firstElementChild;
  name.textContent = f[3];
  name.nextElementSibling.textContent = f[4];
  let i = 5;
  if (f[i] === null) {
    i += 1;
  } else {
    const meter = prototypes.meter.cloneNode(true);
    meter.setAttribute('data-state', f[i]);
    meter.setAttribute('role', 'meter');
    meter.setAttribute('aria-valuemax', f[i + 1]);
    meter.setAttribute('aria-valuenow', f[i + 2]);
    meter.setAttribute('aria-valuetext', f[4]);
    meter.setAttribute('aria-label', f[3]);
    // Through the CSSOM, which a strict `style-src` allows where a `style`
    // attribute would be refused.
    meter.firstElementChild.style.setProperty('--portico-meter-fill', f[i + 3]);
    row.append(meter);
    i += 4;
  }
  for (; i < f.length; i += 2) {
    const note = prototypes.note.cloneNode(true);
    note.setAttribute('data-state', f[i]);
    note.textContent = f[i + 1];
    row.append(note);
  }
  return row;
}
