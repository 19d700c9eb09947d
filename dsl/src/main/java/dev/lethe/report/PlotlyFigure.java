package dev.lethe.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.traces.Trace;

/**
 * A Plotly figure written as Plotly's own JSON ({@code data} and {@code layout}), for what Tablesaw's builders
 * cannot say: hover templates, text beside markers, subplots with an x-axis each. It renders as Tablesaw's
 * figures do ({@link #asJavascript}), so the HTML report and the notebook show it unchanged.
 */
public final class PlotlyFigure extends Figure {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ArrayNode data;
    private final ObjectNode layout;

    PlotlyFigure(ArrayNode data, ObjectNode layout) {
        super(new Trace[0]);
        this.data = data.deepCopy();
        this.layout = layout.deepCopy();
    }

    /** A new, empty JSON object to build a trace or a layout in. */
    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** A new, empty JSON array. */
    static ArrayNode array() {
        return JSON.createArrayNode();
    }

    /** The traces, as Plotly's {@code data} (a copy). */
    public ArrayNode data() {
        return data.deepCopy();
    }

    /** The layout, as Plotly's {@code layout} (a copy). */
    public ObjectNode layout() {
        return layout.deepCopy();
    }

    /** {@code {"data": [...], "layout": {...}}}, what {@code Plotly.newPlot} draws. */
    public String json() {
        ObjectNode figure = object();
        figure.set("data", data);
        figure.set("layout", layout);
        return figure.toString();
    }

    /** A script that draws this figure into the element with id {@code divName}. */
    @Override
    public String asJavascript(String divName) {
        return "<script>\n    Plotly.newPlot(document.getElementById(" + safe(JSON.getNodeFactory().textNode(divName))
                + "), " + safe(data) + ", " + safe(layout) + ");\n</script>\n";
    }

    /** {@code node} as JSON that cannot end the script element it sits in ({@code </} written as {@code <\/}). */
    private static String safe(JsonNode node) {
        return node.toString().replace("</", "<\\/");
    }
}
