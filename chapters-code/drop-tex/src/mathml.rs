//! A small tree for the MathML that mdbook-katex writes, read and written
//! back without loss: elements with double-quoted attributes, text, and
//! empty elements written `<mspace width="1em"/>`. KaTeX writes nothing
//! else (no comments, no CDATA, `<` and `&` in text as entities), so this is
//! all the parser accepts.

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Element(Element),
    /// Text as written, entities included (`&lt;`).
    Text(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    /// Written as one empty tag, `<mspace width="1em"/>`.
    pub empty: bool,
}

impl Node {
    pub fn element(&self) -> Option<&Element> {
        match self {
            Node::Element(el) => Some(el),
            Node::Text(_) => None,
        }
    }

    /// Whether this is an element called `name`.
    pub fn is(&self, name: &str) -> bool {
        self.element().is_some_and(|el| el.name == name)
    }
}

impl Element {
    pub fn new(
        name: &str,
        attrs: &[(&str, &str)],
        children: Vec<Node>,
    ) -> Element {
        Element {
            name: name.to_string(),
            attrs: attrs
                .iter()
                .map(|&(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            children,
            empty: false,
        }
    }

    /// An element that holds only `text`, such as `<mo>+</mo>`.
    pub fn leaf(name: &str, attrs: &[(&str, &str)], text: &str) -> Node {
        Node::Element(Element::new(
            name,
            attrs,
            vec![Node::Text(text.to_string())],
        ))
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets attribute `name`, replacing its value if it has one.
    pub fn set_attr(&mut self, name: &str, value: &str) {
        match self.attrs.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = value.to_string(),
            None => self.attrs.push((name.to_string(), value.to_string())),
        }
    }

    /// The element's own text (not its descendants'), as written.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|c| match c {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    pub fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attrs {
            out.push_str(&format!(" {k}=\"{v}\""));
        }
        if self.empty && self.children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for child in &self.children {
            match child {
                Node::Element(el) => el.write(out),
                Node::Text(t) => out.push_str(t),
            }
        }
        out.push_str(&format!("</{}>", self.name));
    }
}

/// Parses `src`, which must be exactly one element, such as a whole
/// `<math …>…</math>`.
pub fn parse(src: &str) -> Result<Element, String> {
    let mut rest = src;
    let el = element(&mut rest)?;
    if rest.is_empty() {
        Ok(el)
    } else {
        Err(format!("text after the element: {rest:.40}"))
    }
}

/// Reads one element from the start of `rest` and moves `rest` past it.
fn element(rest: &mut &str) -> Result<Element, String> {
    let src = *rest;
    let fail = |why: &str| format!("{why} in {src:.60}");
    *rest = rest.strip_prefix('<').ok_or_else(|| fail("no tag"))?;
    let name = take_until(rest, |c| c.is_whitespace() || c == '/' || c == '>');
    let mut el = Element::new(name, &[], vec![]);
    loop {
        *rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("/>") {
            *rest = after;
            el.empty = true;
            return Ok(el);
        }
        if let Some(after) = rest.strip_prefix('>') {
            *rest = after;
            break;
        }
        let key = take_until(rest, |c| c == '=' || c == '>');
        *rest = rest.strip_prefix("=\"").ok_or_else(|| {
            fail("an attribute without a double-quoted value")
        })?;
        let value = take_until(rest, |c| c == '"');
        *rest = rest
            .strip_prefix('"')
            .ok_or_else(|| fail("an unclosed attribute"))?;
        el.attrs.push((key.to_string(), value.to_string()));
    }
    loop {
        if let Some(after) = rest.strip_prefix("</") {
            *rest = after;
            let end = take_until(rest, |c| c == '>');
            *rest = rest
                .strip_prefix('>')
                .ok_or_else(|| fail("an unclosed end tag"))?;
            if end != el.name {
                return Err(fail(&format!("<{}> closed by </{end}>", el.name)));
            }
            return Ok(el);
        }
        if rest.is_empty() {
            return Err(fail(&format!("<{}> never closed", el.name)));
        }
        if rest.starts_with('<') {
            el.children.push(Node::Element(element(rest)?));
        } else {
            let text = take_until(rest, |c| c == '<');
            el.children.push(Node::Text(text.to_string()));
        }
    }
}

/// The start of `rest` up to the first character that `stop` accepts;
/// `rest` moves past it.
fn take_until<'a>(rest: &mut &'a str, stop: impl Fn(char) -> bool) -> &'a str {
    let end = rest.find(stop).unwrap_or(rest.len());
    let (head, tail) = rest.split_at(end);
    *rest = tail;
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    // mdbook-katex's MathML for \(\lVert W \rVert^2\), \quad and \(a<b\),
    // as the preprocessor receives it.
    const SAMPLE: &str = "<math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"block\"><mrow><mo stretchy=\"false\">∥</mo><mi>W</mi><msup><mo stretchy=\"false\">∥</mo><mn>2</mn></msup><mspace width=\"1em\"/><mi>a</mi><mo>&lt;</mo><mi>b</mi></mrow></math>";

    #[test]
    fn writes_back_what_it_read() {
        let math = parse(SAMPLE).unwrap();
        let mut out = String::new();
        math.write(&mut out);
        assert_eq!(out, SAMPLE);
        assert_eq!(math.attr("display"), Some("block"));
    }

    #[test]
    fn reads_the_parts() {
        let math = parse(SAMPLE).unwrap();
        let row = math.children[0].element().unwrap();
        let names: Vec<&str> = row
            .children
            .iter()
            .map(|c| c.element().unwrap().name.as_str())
            .collect();
        assert_eq!(names, ["mo", "mi", "msup", "mspace", "mi", "mo", "mi"]);
        assert_eq!(row.children[0].element().unwrap().text(), "∥");
        assert!(row.children[3].element().unwrap().empty);
        assert_eq!(row.children[5].element().unwrap().text(), "&lt;");
    }

    #[test]
    fn sets_an_attribute_once() {
        let mut mo = parse("<mo stretchy=\"false\">∥</mo>").unwrap();
        mo.set_attr("lspace", "0em");
        mo.set_attr("stretchy", "true");
        let mut out = String::new();
        mo.write(&mut out);
        assert_eq!(out, "<mo stretchy=\"true\" lspace=\"0em\">∥</mo>");
    }

    #[test]
    fn refuses_what_katex_never_writes() {
        for (bad, why) in [
            ("<mi>x", "<mi> never closed"),
            ("<mrow><mi>x</mrow>", "<mi> closed by </mrow>"),
            ("<mo stretchy=false>x</mo>", "without a double-quoted value"),
            ("<mi>x</mi><mi>y</mi>", "text after the element"),
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains(why), "parsing {bad:?}: {err}");
        }
    }
}
