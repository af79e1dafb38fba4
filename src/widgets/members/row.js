// One member row from its fields, in one call from the wasm (see
// ../built_row.rs): a clone of a prototype row with only the row's own data
// set. The markup here is the markup `MemberRow::write_html` writes; a
// browser test holds the two together.

let prototypes = null;

function part(tag, name) {
  const element = document.createElement(tag);
  element.setAttribute('data-part', name);
  return element;
}

function makePrototypes() {
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
  prototypes ??= makePrototypes();
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
