//! `Members`: the organization's members as synced from WorkOS, with the
//! seats they take. Which rows show, in what order, and the CSV are plain
//! functions in [`roster`].

pub mod roster;
