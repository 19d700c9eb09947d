package dev.lethe.model;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeStore;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Cache;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Parser.ParseException;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.Scanner.ScanException;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstUnary;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ExpressionFactory;
import org.jspecify.annotations.Nullable;

/**
 * Jinjava set up as Hugging Face {@code transformers} sets up Jinja2 for chat templates
 * ({@code transformers/utils/chat_template_utils.py}, {@code _cached_compile_jinja_template}):
 * {@code trim_blocks} and {@code lstrip_blocks} on (the latter applied to the source, {@link #source}); the globals {@code raise_exception(message)} and
 * {@code strftime_now(format)}; {@code tojson} as {@code json.dumps(x, ensure_ascii=False, indent=...)}
 * ({@link PyJson}). Where Jinjava differs from Python's Jinja2 it is bridged here, each bridge tested by
 * {@code ChatTemplateTest} and against Jinja2 itself by {@code ChatTemplateReferenceTest}
 * ({@code probe-python-features.jinja}):
 * <ul>
 *   <li>values are printed, never rendered again: Jinjava's default "nested interpretation" would run Jinja
 *       written inside a message ({@code {{ 7 * 7 }}} in a user turn became {@code 49});
 *   <li>Jinja2's semantics where Jinjava keeps its own by default ({@link LegacyOverrides}): {@code {{-} and
 *       {@code {#-} trim whitespace, whitespace control is parsed strictly, map keys are evaluated, iterating a
 *       map yields its keys, lists and maps print as Python prints them, {@code None} items stay in loops;
 *   <li>{@code not} takes Python's precedence: it applies to a whole comparison ({@code not a == b} is
 *       {@code not (a == b)}) while tests and filters bind to their operand ({@code not x is defined} is
 *       {@code not (x is defined)}); Jinjava binds {@code not} to the next value, and its "natural precedence"
 *       option instead applies tests to {@code not x} ({@link PythonParser});
 *   <li>Python string and dict methods ({@code .strip()}, {@code .title()}, {@code .items()}, ...): {@link PyMethods};
 *   <li>{@code trim} strips Python's whitespace set, not Java's;
 *   <li>{@code strftime_now} is also a defined variable, so {@code strftime_now is defined} holds as in Jinja2;
 *   <li>booleans print as Python prints them ({@code True}, {@code False}), not as Java does;
 *   <li>{@code loop.previtem}, {@code loop.nextitem} and {@code loop.changed(...)}, which Jinjava lacks
 *       ({@link PythonLoops});
 *   <li>one trailing newline of the template is dropped, as Jinja2 does without {@code keep_trailing_newline}.
 * </ul>
 */
final class JinjaEnvironment {
    /** The name of the date function, also bound as a variable so that {@code is defined} sees it. */
    static final String STRFTIME_NOW = "strftime_now";

    private static final ThreadLocal<Clock> CLOCK = ThreadLocal.withInitial(Clock::systemDefaultZone);
    private static final Jinjava JINJAVA = create();

    private JinjaEnvironment() {}

    /** The shared, configured engine (Jinjava renders concurrently from one instance). */
    static Jinjava jinjava() {
        return JINJAVA;
    }

    /** Runs {@code render} with {@code strftime_now} reading {@code clock}. */
    static <T> T withClock(Clock clock, Supplier<T> render) {
        Clock before = CLOCK.get();
        CLOCK.set(clock);
        try {
            return render.get();
        } finally {
            CLOCK.set(before);
        }
    }

    /**
     * Spaces and tabs that Jinja2's {@code lstrip_blocks} removes: those between the start of a line and a block or
     * comment tag, when nothing else precedes the tag on its line and the tag is not {@code {%+} (Jinjava's own
     * option also strips them when text precedes the tag: "Today. {% for %}" lost its space).
     */
    private static final Pattern LSTRIPPED = Pattern.compile("(?m)^[ \\t]+(?=\\{[%#](?!\\+))");

    /** A block or comment tag's {@code +}, which keeps the whitespace before it and is itself dropped. */
    private static final Pattern KEEP_MARK = Pattern.compile("\\{([%#])\\+");

    /**
     * {@code template} as Jinja2's lexer sees it with {@code lstrip_blocks}: the whitespace before a block or comment
     * tag alone at the start of its line removed, {@code {%+} read as {@code {%}, and a single trailing newline
     * dropped.
     */
    static String source(String template) {
        String stripped = KEEP_MARK.matcher(LSTRIPPED.matcher(template).replaceAll("")).replaceAll("{$1");
        if (stripped.endsWith("\r\n")) {
            return stripped.substring(0, stripped.length() - 2);
        }
        return stripped.endsWith("\n") ? stripped.substring(0, stripped.length() - 1) : stripped;
    }

    private static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PyMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        LegacyOverrides python = LegacyOverrides.newBuilder().withUseTrimmingForNotesAndExpressions(true)
                .withParseWhitespaceControlStrictly(true).withEvaluateMapKeys(true).withIterateOverMapKeys(true)
                .withUsePyishObjectMapper(true).withKeepNullableLoopValues(true).build();
        Jinjava j = new PythonJinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(false)
                .withNestedInterpretationEnabled(false).withLegacyOverrides(python).withElResolver(resolver).withInterperterFactory(new PythonPrinting())
                .build());
        j.registerFunction(new ELFunctionDefinition("", "raise_exception", JinjaEnvironment.class, "raiseException",
                Object.class));
        j.registerFunction(new ELFunctionDefinition("", STRFTIME_NOW, JinjaEnvironment.class, "strftimeNow",
                String.class));
        j.getGlobalContext().registerTag(new PythonLoops.Tag());
        j.registerFilter(new ToJson());
        j.registerFilter(new Trim());
        return j;
    }

    /** {@code raise_exception(message)}: stops rendering with the template's message. */
    public static Object raiseException(@Nullable Object message) {
        throw new Raised(String.valueOf(message));
    }

    /** {@code strftime_now(format)}: the current time of the render's clock, formatted as Python's strftime. */
    public static String strftimeNow(String format) {
        Clock clock = CLOCK.get();
        return Strftime.format(format, ZonedDateTime.now(clock));
    }

    /** The exception {@code raise_exception} throws; its message is the template's. */
    static final class Raised extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Raised(String message) {
            super(message);
        }
    }

    /** Jinjava whose expressions are parsed by {@link PythonParser}. */
    private static final class PythonJinjava extends Jinjava {
        private @Nullable ExpressionFactory factory;

        PythonJinjava(JinjavaConfig config) {
            super(config);
        }

        @Override
        public synchronized ExpressionFactory getExpressionFactory() {
            if (factory == null) {
                factory = new ExpressionFactoryImpl(new TreeStore(new PythonSyntax(), new Cache(1000)),
                        new TruthyTypeConverter());
            }
            return factory;
        }
    }

    /**
     * Jinjava's expression syntax with {@link PythonParser}, and the features Jinjava's own factory enables
     * (its default EL profile, JEE6: method invocations and varargs).
     */
    private static final class PythonSyntax extends ExtendedSyntaxBuilder {
        private static final long serialVersionUID = 1L;

        PythonSyntax() {
            super(Builder.Feature.METHOD_INVOCATIONS, Builder.Feature.VARARGS);
        }

        @Override
        protected Parser createParser(String expression) {
            return new PythonParser(this, expression);
        }
    }

    /**
     * Jinjava's parser with Jinja2's place for {@code not} ({@code jinja2/parser.py}, {@code parse_not}): below
     * the comparisons, so its operand is a whole comparison, in which tests and filters already bound to theirs.
     */
    static final class PythonParser extends ExtendedParser {
        PythonParser(Builder builder, String expression) {
            super(builder, expression);
        }

        @Override
        protected AstNode unary(boolean required) throws ScanException, ParseException {
            if (getToken().getSymbol() == Scanner.Symbol.NOT) {
                consumeToken();
                return createAstUnary(eq(true), AstUnary.NOT);
            }
            return super.unary(required);
        }
    }

    /** Interpreters that print a boolean as Python does ({@code {{ x is string }}} gives {@code True}). */
    private static final class PythonPrinting implements InterpreterFactory {
        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
            return new Interpreter(orig);
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava jinjava, Context context, JinjavaConfig config) {
            return new Interpreter(jinjava, context, config);
        }
    }

    private static final class Interpreter extends JinjavaInterpreter {
        Interpreter(JinjavaInterpreter orig) {
            super(orig);
        }

        Interpreter(Jinjava jinjava, Context context, JinjavaConfig config) {
            super(jinjava, context, config);
        }

        @Override
        public String getAsString(@Nullable Object object) {
            if (object instanceof Boolean b) {
                return b ? "True" : "False";
            }
            return super.getAsString(object);
        }
    }

    /** {@code tojson(indent=None)}, as transformers' override of Jinja2's HTML-escaping filter. */
    private static final class ToJson implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(@Nullable Object var, JinjavaInterpreter interpreter, String... args) {
            return PyJson.dumps(var, args.length > 0 && args[0] != null ? Integer.valueOf(args[0]) : null);
        }

        @Override
        public Object filter(@Nullable Object var, JinjavaInterpreter interpreter, Object[] args,
                Map<String, Object> kwargs) {
            Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : (args.length > 0 ? args[0] : null);
            return PyJson.dumps(var, indent == null ? null : ((Number) indent).intValue());
        }
    }

    /** {@code trim(chars=None)} with Python's whitespace set. */
    private static final class Trim implements Filter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(@Nullable Object var, JinjavaInterpreter interpreter, String... args) {
            return PyMethods.strip(var == null ? "" : var.toString(), args.length > 0 ? args[0] : null, true, true);
        }
    }
}
