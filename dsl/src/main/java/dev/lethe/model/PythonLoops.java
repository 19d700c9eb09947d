package dev.lethe.model;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.util.ForLoop;
import com.hubspot.jinjava.util.ObjectIterator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The loop variables of Jinja2 that Jinjava lacks: {@code loop.previtem}, {@code loop.nextitem} and
 * {@code loop.changed(*values)} (Jinja2's {@code LoopContext}, {@code jinja2/runtime.py}). Jinjava's {@code for}
 * tag walks an iterator and keeps no items, so {@link Tag} (which replaces it) first collects the loop's items the
 * way Jinjava's own tag would iterate them ({@link ObjectIterator#getLoop}) and then lets Jinjava's tag run over
 * that list, while a per-thread stack remembers the items of every loop being rendered; {@link PyMethods} answers
 * the three names from it. As in Jinja2, {@code previtem} of the first item and {@code nextitem} of the last are
 * undefined, and {@code changed} is true at its first call in a loop and then whenever its arguments differ from
 * those of the call before.
 *
 * <p>Only the innermost loop ({@code loop} itself) answers them: a loop object saved under another name and read
 * inside a nested loop fails with a message instead of answering for the wrong loop.
 */
final class PythonLoops {
    private static final ThreadLocal<Deque<Items>> LOOPS = ThreadLocal.withInitial(ArrayDeque::new);

    private PythonLoops() {}

    /** The items of one loop being rendered, and the arguments of its last {@code changed} call. */
    private static final class Items {
        final List<Object> items;
        @Nullable List<Object> changedLast;
        boolean changedCalled;

        Items(List<Object> items) {
            this.items = items;
        }
    }

    /** {@code for}, with the loop's items remembered while its body renders. */
    static final class Tag extends ForTag {
        private static final long serialVersionUID = 1L;

        @Override
        public String renderForCollection(TagNode tagNode, JinjavaInterpreter interpreter, List<String> loopVars,
                Object collection) {
            List<Object> items = new ArrayList<>();
            ForLoop source = ObjectIterator.getLoop(collection);
            while (source.hasNext()) {
                items.add(source.next());
            }
            Deque<Items> loops = LOOPS.get();
            loops.push(new Items(items));
            try {
                return super.renderForCollection(tagNode, interpreter, loopVars, items);
            } finally {
                loops.pop();
            }
        }
    }

    /** {@code loop.previtem} (offset −1) or {@code loop.nextitem} (+1): null (undefined) past either end. */
    static @Nullable Object neighbour(ForLoop loop, String name, int offset) {
        List<Object> items = of(loop, name).items;
        int at = loop.getIndex0() + offset;
        return at >= 0 && at < items.size() ? items.get(at) : null;
    }

    /** {@code loop.changed(*values)}: whether {@code values} differ from those of this loop's previous call. */
    static boolean changed(ForLoop loop, Object[] values) {
        Items items = of(loop, "changed");
        List<Object> now = java.util.Arrays.asList(values.clone());
        boolean changed = !items.changedCalled || !Objects.equals(items.changedLast, now);
        items.changedCalled = true;
        items.changedLast = now;
        return changed;
    }

    private static Items of(ForLoop loop, String name) {
        JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
        Items items = LOOPS.get().peek();
        if (items == null || interpreter == null || interpreter.getContext().get(ForTag.LOOP) != loop) {
            throw new IllegalArgumentException("loop." + name + " is supported on the innermost loop's "
                    + "'loop' only (Lethe's Jinja engine, Jinjava, keeps no items of an outer loop)");
        }
        return items;
    }
}
