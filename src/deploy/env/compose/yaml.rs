//! The YAML side of reading a compose file: saphyr's event parser driven with a depth
//! limit, scalars as compose's Go reader sees them, merge keys and compose's tags, and the
//! reader's helpers for mappings, lists, interpolated text and errors at a node.

use super::*;

/// The first document of `text`, with scalars kept as written.
pub(super) fn parse_yaml<'t>(text: &'t str, file: &str) -> Result<MarkedYaml<'t>, Failure> {
    let fail = |at: saphyr::Marker, what: &str| {
        source_error(
            file,
            Position { line: at.line(), column: at.col() + 1 },
            &format!("cannot parse it as YAML: {what}"),
            "docker compose refuses this file too; fix the YAML at that place (`docker compose config` shows what compose reads)",
        )
    };
    let mut loader = YamlLoader::<MarkedYaml<'t>>::default();
    loader.early_parse(false);
    let mut depth = 0usize;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| fail(*e.marker(), e.info()))?;
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(fail(span.start, &format!("it is nested more than {MAX_DEPTH} levels deep")));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
        loader.on_event(event, span);
        if let Some(e) = loader.error() {
            return Err(fail(*e.marker(), e.info()));
        }
    }
    loader.into_documents().into_iter().next().ok_or_else(|| {
        source_error(file, Position { line: 1, column: 1 }, "it holds no YAML document", "is this the compose file?")
    })
}

pub(super) type Node<'t> = MarkedYaml<'t>;

/// One key of a mapping.
pub(super) struct Entry<'n, 't> {
    pub(super) name: String,
    pub(super) key: &'n Node<'t>,
    pub(super) value: &'n Node<'t>,
}

pub(super) fn position(node: &Node<'_>) -> Position {
    Position { line: node.span.start.line(), column: node.span.start.col() + 1 }
}

/// The node under compose's tags: `!override` is the node itself, `!reset` nothing.
pub(super) fn untagged<'n, 't>(node: &'n Node<'t>) -> Option<&'n Node<'t>> {
    match &node.data {
        YamlData::Tagged(tag, inner) if tag.suffix == "reset" => None,
        YamlData::Tagged(_, inner) => untagged(inner),
        YamlData::Representation(_, _, Some(tag)) if tag.suffix == "reset" => None,
        _ => Some(node),
    }
}

/// A scalar's text as written, `None` for a YAML null or a collection. Plain booleans
/// are written `true`/`false`, as compose's Go YAML reader turns them into strings.
pub(super) fn scalar<'n>(node: &'n Node<'_>) -> Option<std::borrow::Cow<'n, str>> {
    let YamlData::Representation(text, style, _) = &node.data else { return None };
    if *style == ScalarStyle::Plain {
        match text.as_ref() {
            "" | "~" | "null" | "Null" | "NULL" => return None,
            "true" | "True" | "TRUE" => return Some("true".into()),
            "false" | "False" | "FALSE" => return Some("false".into()),
            _ => {}
        }
    }
    Some(std::borrow::Cow::Borrowed(text.as_ref()))
}

pub(super) fn is_null(node: &Node<'_>) -> bool {
    matches!(&node.data, YamlData::Representation(..)) && scalar(node).is_none()
}

pub(super) fn kind(node: &Node<'_>) -> &'static str {
    match &node.data {
        YamlData::Mapping(_) => "a mapping",
        YamlData::Sequence(_) => "a list",
        YamlData::Tagged(_, inner) => kind(inner),
        _ if is_null(node) => "nothing (null)",
        YamlData::Representation(..) | YamlData::Value(_) => "a single value",
        _ => "something certsmith cannot read",
    }
}

impl Reader<'_> {
    pub(super) fn error(&self, node: &Node<'_>, what: &str) -> Failure {
        source_error(
            self.file,
            position(node),
            what,
            "docker compose refuses this file too; the file format: https://docs.docker.com/reference/compose-file/services/",
        )
    }

    pub(super) fn origin(&self, node: &Node<'_>) -> Origin {
        Origin::at(self.file, position(node))
    }

    /// A mapping's entries (name, key node, value node), with merge keys (`<<`) applied:
    /// explicit keys win, then the merged mappings in order. `!reset` values are left out.
    pub(super) fn entries<'n, 't>(&self, node: &'n Node<'t>, what: &str) -> Result<Vec<Entry<'n, 't>>, Failure> {
        let YamlData::Mapping(map) = &node.data else {
            return Err(self.error(node, &format!("{what} must be a mapping, found {}", kind(node))));
        };
        let mut own: Vec<Entry<'n, 't>> = Vec::new();
        let mut merged: Vec<Entry<'n, 't>> = Vec::new();
        for (key, value) in map {
            let Some(name) = scalar(key) else {
                return Err(self.error(key, &format!("a key of {what} must be a name, found {}", kind(key))));
            };
            if name == "<<" {
                let sources = match &value.data {
                    YamlData::Sequence(items) => items.iter().collect(),
                    _ => vec![value],
                };
                for source in sources {
                    for entry in self.entries(source, "a merged mapping (<<)")? {
                        if !merged.iter().any(|m| m.name == entry.name) {
                            merged.push(entry);
                        }
                    }
                }
                continue;
            }
            if own.iter().any(|e| e.name == name) {
                return Err(self.error(key, &format!("{what} has the key {name:?} twice")));
            }
            own.push(Entry { name: name.into_owned(), key, value });
        }
        for entry in merged {
            if !own.iter().any(|o| o.name == entry.name) {
                own.push(entry);
            }
        }
        Ok(own.into_iter().filter_map(|e| untagged(e.value).map(|value| Entry { value, ..e })).collect())
    }

    /// A scalar, interpolated with the project environment.
    pub(super) fn text(&self, node: &Node<'_>, what: &str) -> Result<Option<String>, Failure> {
        if matches!(node.data, YamlData::Mapping(_) | YamlData::Sequence(_)) {
            return Err(self.error(node, &format!("{what} must be a single value, found {}", kind(node))));
        }
        let Some(raw) = scalar(node) else { return Ok(None) };
        let lookup = |name: &str| self.shared.project.value(name);
        let Interpolated { value, unset } = interpolate::interpolate(&raw, &lookup, self.shared.budget)
            .map_err(|e| self.error(node, &format!("cannot interpolate {what}: {}", e.message)))?;
        self.shared.unset.borrow_mut().extend(unset.into_iter().map(|name| (name, self.origin(node))));
        Ok(Some(value))
    }

    pub(super) fn list<'n, 't>(&self, node: &'n Node<'t>) -> Vec<&'n Node<'t>> {
        match &node.data {
            YamlData::Sequence(items) => items.iter().filter_map(untagged).collect(),
            _ => vec![node],
        }
    }
}
