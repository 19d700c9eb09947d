package dev.lethe.part;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A part whose effect depends on the content of a file it reads, not only on its parameters (a schedule derived
 * from a run's event log). Its canonical text names only the file, so the model cache keys such a part on
 * {@link #content()}, what it read: editing the file gives another key, moving it does not.
 */
public interface ContentInput {
    /** What the part read, as text that differs when its effect does (e.g. the rates it derived). */
    String content();

    /**
     * The content inputs in {@code part} and the parts it holds (record components, collection items, map values; not a path's names), in
     * the order of its declaration.
     */
    static List<ContentInput> in(@Nullable Object part) {
        List<ContentInput> out = new ArrayList<>();
        collect(part, out);
        return out;
    }

    private static void collect(@Nullable Object part, List<ContentInput> out) {
        if (part instanceof ContentInput c) {
            out.add(c);
        }
        if (part instanceof Record r) {
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    c.getAccessor().setAccessible(true);
                    collect(c.getAccessor().invoke(r), out);
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass(), e);
                }
            }
        } else if (part instanceof Collection<?> items) {
            for (Object item : items) {
                collect(item, out);
            }
        } else if (part instanceof Map<?, ?> map) {
            for (Object value : map.values()) {
                collect(value, out);
            }
        }
    }
}
