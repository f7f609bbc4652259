package io.gatehouse.policy.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An element of a policy document as parsed, before any policy is compiled from it.
 *
 * @param name       element name
 * @param attributes attribute values in document order
 * @param children   child elements
 * @param text       the element's own text (trimmed), empty if none
 * @param file       the document's path
 * @param line       line of the start tag
 * @param column     column of the start tag
 */
record XmlElement(String name,
                  Map<String, String> attributes,
                  List<XmlElement> children,
                  String text,
                  String file,
                  int line,
                  int column) {

    XmlElement {
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        children = List.copyOf(children);
    }
}
