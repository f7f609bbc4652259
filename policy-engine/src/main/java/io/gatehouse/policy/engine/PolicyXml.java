package io.gatehouse.policy.engine;

import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigProblem;
import io.gatehouse.config.PolicyDocument;

/**
 * Parses policy documents as APIM does: named values ({@code {{name}}}) are substituted into the text first; policy
 * expressions may contain {@code <}, {@code >}, {@code &} and quotes without escaping (as in
 * {@code condition="@(context.Variables.GetValueOrDefault<bool>("ok"))"}); and DTDs and entities are refused, so no
 * document can read files or expand entities (XXE).
 */
final class PolicyXml {

    private static final Pattern NAMED_VALUE = Pattern.compile("\\{\\{([^{}]+)}}");
    private static final XMLInputFactory FACTORY = factory();

    private PolicyXml() {
    }

    /**
     * Parses a document.
     *
     * @param document    the document
     * @param namedValues resolves a named value's name to its value, or null if there is none
     * @return the root element
     * @throws ConfigException with the file and line of the first problem
     */
    static XmlElement parse(PolicyDocument document, Function<String, String> namedValues) throws ConfigException {
        String text = substitute(document, namedValues);
        text = escapeExpressions(text);
        try {
            XMLStreamReader reader = FACTORY.createXMLStreamReader(new StringReader(text));
            try {
                return read(reader, document.path());
            } finally {
                reader.close();
            }
        } catch (XMLStreamException e) {
            Location loc = e.getLocation();
            String message = e.getMessage();
            // StAX prefixes its message with "ParseError at [row,col]:[r,c]\nMessage: "; keep the message.
            int at = message == null ? -1 : message.indexOf("Message: ");
            if (at >= 0) {
                message = message.substring(at + 9);
            }
            throw new ConfigException(new ConfigProblem(document.path(), loc == null ? 0 : loc.getLineNumber(),
                                                        loc == null ? 0 : loc.getColumnNumber(), "",
                                                        "malformed XML: " + message));
        }
    }

    private static XmlElement read(XMLStreamReader reader, String file) throws XMLStreamException, ConfigException {
        Deque<Builder> stack = new ArrayDeque<>();
        XmlElement root = null;
        while (reader.hasNext()) {
            int event = reader.next();
            switch (event) {
                case XMLStreamConstants.DTD -> throw new ConfigException(new ConfigProblem(
                        file, reader.getLocation().getLineNumber(), reader.getLocation().getColumnNumber(), "",
                        "DOCTYPE declarations are not allowed in policy documents"));
                case XMLStreamConstants.ENTITY_REFERENCE -> throw new ConfigException(new ConfigProblem(
                        file, reader.getLocation().getLineNumber(), reader.getLocation().getColumnNumber(), "",
                        "entity references are not allowed in policy documents: &" + reader.getLocalName() + ";"));
                case XMLStreamConstants.START_ELEMENT -> {
                    Map<String, String> attributes = new LinkedHashMap<>();
                    for (int i = 0; i < reader.getAttributeCount(); i++) {
                        attributes.put(reader.getAttributeLocalName(i), reader.getAttributeValue(i));
                    }
                    stack.push(new Builder(reader.getLocalName(), attributes, reader.getLocation().getLineNumber(),
                                           reader.getLocation().getColumnNumber()));
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (!stack.isEmpty()) {
                        stack.peek().text.append(reader.getText());
                    }
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    Builder b = stack.pop();
                    XmlElement element = new XmlElement(b.name, b.attributes, b.children, b.text.toString().trim(), file,
                                                        b.line, b.column);
                    if (stack.isEmpty()) {
                        root = element;
                    } else {
                        stack.peek().children.add(element);
                    }
                }
                default -> {
                    // comments and processing instructions carry nothing for policies
                }
            }
        }
        if (root == null) {
            throw new ConfigException(ConfigProblem.of(file, "empty policy document"));
        }
        return root;
    }

    static String substitute(PolicyDocument document, Function<String, String> namedValues) throws ConfigException {
        Matcher m = NAMED_VALUE.matcher(document.xml());
        StringBuilder sb = new StringBuilder();
        List<ConfigProblem> problems = new ArrayList<>();
        while (m.find()) {
            String name = m.group(1).trim();
            String value = namedValues.apply(name);
            if (value == null) {
                problems.add(new ConfigProblem(document.path(), lineOf(document.xml(), m.start()), 0, "",
                                               "named value '" + name + "' is not defined (named values/)"));
                value = "";
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return sb.toString();
    }

    /**
     * Escapes the XML-special characters inside policy expressions that start an attribute value or an element's
     * text, the two places APIM accepts them. Line breaks are kept, so reported lines stay right.
     */
    static String escapeExpressions(String xml) {
        StringBuilder out = new StringBuilder(xml.length() + 64);
        int i = 0;
        int n = xml.length();
        while (i < n) {
            if (xml.startsWith("<!--", i)) {
                int end = xml.indexOf("-->", i);
                end = end < 0 ? n : end + 3;
                out.append(xml, i, end);
                i = end;
                continue;
            }
            if (xml.startsWith("<![CDATA[", i)) {
                int end = xml.indexOf("]]>", i);
                end = end < 0 ? n : end + 3;
                out.append(xml, i, end);
                i = end;
                continue;
            }
            char c = xml.charAt(i);
            if (c == '@' && i + 1 < n && (xml.charAt(i + 1) == '(' || xml.charAt(i + 1) == '{') && startsValue(xml, i)) {
                int end = expressionEnd(xml, i + 1);
                if (end > 0) {
                    for (int j = i; j < end; j++) {
                        char e = xml.charAt(j);
                        switch (e) {
                            case '<' -> out.append("&lt;");
                            case '>' -> out.append("&gt;");
                            case '&' -> out.append(ampersand(xml, j) ? "&" : "&amp;");
                            case '"' -> out.append("&quot;");
                            default -> out.append(e);
                        }
                    }
                    i = end;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** An already escaped entity (authors who escaped by hand) is kept as it is. */
    private static boolean ampersand(String xml, int at) {
        for (String entity : List.of("&lt;", "&gt;", "&amp;", "&quot;", "&apos;")) {
            if (xml.startsWith(entity, at)) {
                return true;
            }
        }
        return false;
    }

    /** Whether '@' at {@code at} is the first thing of an attribute value or of element text. */
    private static boolean startsValue(String xml, int at) {
        int j = at - 1;
        while (j >= 0 && Character.isWhitespace(xml.charAt(j))) {
            j--;
        }
        if (j < 0) {
            return false;
        }
        char before = xml.charAt(j);
        if (before == '>') {
            return true;
        }
        return (before == '"' || before == '\'') && j == at - 1 && j > 0 && xml.charAt(j - 1) == '=';
    }

    /** Index just after the ')' or '}' closing the expression that opens at {@code open}, or -1. */
    private static int expressionEnd(String s, int open) {
        char opener = s.charAt(open);
        char closer = opener == '(' ? ')' : '}';
        int depth = 0;
        int i = open;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"') {
                boolean verbatim = i > 0 && s.charAt(i - 1) == '@';
                i++;
                while (i < s.length()) {
                    char d = s.charAt(i);
                    if (!verbatim && d == '\\') {
                        i += 2;
                        continue;
                    }
                    if (d == '"') {
                        if (verbatim && i + 1 < s.length() && s.charAt(i + 1) == '"') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i++;
                }
            } else if (c == '\'') {
                i++;
                while (i < s.length() && s.charAt(i) != '\'') {
                    i += s.charAt(i) == '\\' ? 2 : 1;
                }
            } else if (c == opener) {
                depth++;
            } else if (c == closer) {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            }
            i++;
        }
        return -1;
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static XMLInputFactory factory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        return f;
    }

    private static final class Builder {
        private final String name;
        private final Map<String, String> attributes;
        private final List<XmlElement> children = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();
        private final int line;
        private final int column;

        private Builder(String name, Map<String, String> attributes, int line, int column) {
            this.name = name;
            this.attributes = attributes;
            this.line = line;
            this.column = column;
        }
    }
}
