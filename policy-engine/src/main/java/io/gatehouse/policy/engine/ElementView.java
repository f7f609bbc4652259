package io.gatehouse.policy.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.gatehouse.policy.expressions.Expressions;
import io.gatehouse.policy.spi.Location;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.Value;

/** A parsed element as a provider sees it: attribute values and text already compiled into {@link Value}s. */
final class ElementView implements PolicyElement {

    private final XmlElement element;
    private final Map<String, Value> attributes;
    private final List<PolicyElement> children;
    private final Optional<Value> text;
    private final Location location;

    private ElementView(XmlElement element, Map<String, Value> attributes, List<PolicyElement> children,
                        Optional<Value> text) {
        this.element = element;
        this.attributes = attributes;
        this.children = children;
        this.text = text;
        this.location = new Location(element.file(), element.line(), element.column());
    }

    /**
     * Compiles the expressions of an element and its descendants.
     *
     * @param element the element
     * @return the view
     * @throws PolicyConfigException on the first expression syntax error, with its position
     */
    static ElementView of(XmlElement element) throws PolicyConfigException {
        Location location = new Location(element.file(), element.line(), element.column());
        Map<String, Value> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, String> a : element.attributes().entrySet()) {
            try {
                attributes.put(a.getKey(), Expressions.compile(a.getValue(), location));
            } catch (PolicyConfigException e) {
                throw new PolicyConfigException("attribute '" + a.getKey() + "': " + e.getMessage());
            }
        }
        List<PolicyElement> children = new ArrayList<>();
        for (XmlElement child : element.children()) {
            children.add(of(child));
        }
        Optional<Value> text = element.text().isEmpty()
                ? Optional.empty()
                : Optional.of(Expressions.compile(element.text(), location));
        return new ElementView(element, attributes, List.copyOf(children), text);
    }

    XmlElement element() {
        return element;
    }

    @Override
    public String name() {
        return element.name();
    }

    @Override
    public Optional<Value> attribute(String name) {
        return Optional.ofNullable(attributes.get(name));
    }

    @Override
    public Set<String> attributeNames() {
        return attributes.keySet();
    }

    @Override
    public List<PolicyElement> children() {
        return children;
    }

    @Override
    public Optional<Value> text() {
        return text;
    }

    @Override
    public Location location() {
        return location;
    }

    @Override
    public String toString() {
        return "<" + element.name() + "> at " + element.file() + ":" + element.line();
    }
}
