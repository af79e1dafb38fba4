// The builders of long lists' rows (see built_row.rs), one call from the
// wasm per row: a clone of a prototype row that already has its parts,
// with only the row's own texts set, as text. The markup each builds is
// the markup its Rust side's `write_html` writes; a browser test holds the
// two together.

function part(tag, name) {
  const element = document.createElement(tag);
  element.setAttribute('data-part', name);
  return element;
}

// Entitlements (entitlements/row.rs).

let entitlementParts = null;

function entitlementPrototypes() {
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
  const prototypes = (entitlementParts ??= entitlementPrototypes());
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

// Members (members/row.rs).

let memberParts = null;

function memberPrototypes() {
  const row = part('tr', 'member');
  const status = part('td', 'member-status-cell');
  status.append(part('span', 'member-status'));
  row.append(
    part('td', 'member-name'),
    part('td', 'member-email'),
    part('td', 'member-role'),
    status,
    part('td', 'member-joined'),
  );
  return { row, note: part('span', 'seat-note') };
}

// `fields` is a JSON array: state, user id, name, email, role, status
// badge, seat note (or null), joined date.
export function build_member_row(fields) {
  const f = JSON.parse(fields);
  const prototypes = (memberParts ??= memberPrototypes());
  const row = prototypes.row.cloneNode(true);
  row.setAttribute('data-state', f[0]);
  row.setAttribute('data-user', f[1]);
  const [name, email, role, status, joined] = row.children;
  name.textContent = f[2];
  email.textContent = f[3];
  role.textContent = f[4];
  const badge = status.firstElementChild;
  badge.setAttribute('data-state', f[0]);
  badge.textContent = f[5];
  if (f[6] !== null) {
    const note = prototypes.note.cloneNode(true);
    note.setAttribute('data-state', f[0]);
    note.textContent = f[6];
    status.append(note);
  }
  joined.textContent = f[7];
  return row;
}
