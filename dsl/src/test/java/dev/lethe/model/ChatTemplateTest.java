package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ChatTemplate's environment and bridges, checked by hand-computed values (no Python needed). */
class ChatTemplateTest {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("Hi"));

    private static ChatTemplate template(String name, Map<String, String> tokens) throws Exception {
        return ChatTemplate.of(Files.readString(ChatTemplateReferenceTest.resource(name)), tokens);
    }

    @Test
    void strftimeNowReadsTheTemplatesClock() throws Exception {
        ChatTemplate llama = template("llama-3.2-instruct", Map.of("bos_token", "<|begin_of_text|>"));
        Clock july = Clock.fixed(Instant.parse("2024-07-26T10:00:00Z"), ZoneOffset.UTC);
        Clock december = Clock.fixed(Instant.parse("2026-12-07T23:59:59Z"), ZoneOffset.UTC);
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December "
                + "2023\nToday Date: 26 Jul 2024\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
                llama.withClock(july).render(HI, false));
        assertTrue(llama.withClock(december).render(HI, false).contains("Today Date: 07 Dec 2026\n"));
        assertTrue(llama.withClock(december).render(HI, false, Map.of("date_string", "1 Jan 2000"))
                .contains("Today Date: 1 Jan 2000\n"), "date_string wins over strftime_now, as in the template");
    }

    @Test
    void strftimeFollowsPythonsDirectives() {
        ZonedDateTime t = ZonedDateTime.parse("2024-03-05T14:07:09Z");
        assertEquals("Tue Tuesday Mar March 05  5 14 02 065 03 07 PM 09 24 2024 +0000 %",
                Strftime.format("%a %A %b %B %d %e %H %I %j %m %M %p %S %y %Y %z %%", t));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Strftime.format("%Q", t));
        assertTrue(e.getMessage().contains("directive %Q"), e.getMessage());
    }

    @Test
    void raiseExceptionFailsWithTheTemplatesMessage() throws Exception {
        ChatTemplate gemma = template("gemma-2b-it", Map.of("bos_token", "<bos>"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gemma.render(List.of(ChatMessage.system("Be nice."), ChatMessage.user("Hi")), true));
        assertEquals("chat template raised an exception: System role not supported", e.getMessage());
        assertEquals("<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n", gemma.render(HI, true));
    }

    @Test
    void loopNeighboursAndChangedAnswerAsInJinja2() {
        List<ChatMessage> chat = List.of(ChatMessage.user("a"), ChatMessage.user("b"), ChatMessage.assistant("c"),
                ChatMessage.user("d"));
        ChatTemplate t = ChatTemplate.of("{% for m in messages %}[{{ loop.previtem.content if loop.previtem is defined "
                + "else '-' }}{{ m.content }}{{ loop.nextitem.content if loop.nextitem is defined else '-' }} "
                + "{{ loop.changed(m.role) }}]{% endfor %}", Map.of());
        // Jinja2: previtem/nextitem undefined at the ends; changed(x) true at its first call, then when x differs
        assertEquals("[-ab True][abc False][bcd True][cd- True]", t.render(chat, false));
    }

    @Test
    void loopNeighboursFollowTheInnermostLoopAndComeBackAfterIt() {
        ChatTemplate t = ChatTemplate.of("{% for m in messages %}{% for c in [1, 2, 3] %}{{ loop.previtem }}{% endfor %}"
                + "<{{ loop.previtem.content }}>{% endfor %}", Map.of());
        assertEquals("12<>12<ab>", t.render(List.of(ChatMessage.user("ab"), ChatMessage.user("cd")), false));
    }

    @Test
    void anOuterLoopsNeighboursFailInsteadOfAnsweringForTheInnerLoop() {
        ChatTemplate t = ChatTemplate.of("{% for m in messages %}{% set outer = loop %}{% for x in [1, 2] %}"
                + "{{ outer.previtem }}{% endfor %}{% endfor %}", Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.render(HI, false));
        assertTrue(e.getMessage().contains("innermost loop"), e.getMessage());
    }

    @Test
    void aBrokenTemplateFailsWithWhereItBroke() {
        ChatTemplate t = ChatTemplate.of("line one\n{% if messages %}never closed", Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.render(HI, false));
        assertTrue(e.getMessage().startsWith("chat template failed to render"), e.getMessage());
    }

    @Test
    void notAppliesToAWholeComparisonAsInPython() {
        ChatTemplate t = ChatTemplate.of("{{ not x is defined }} {{ not y is defined }} {{ not x is none }} "
                + "{{ not x == 'w' }} {{ not messages|length == 1 }} {{ not 3 > 9 or false }} {{ not not true }}",
                Map.of());
        assertEquals("False True True True False True True", t.render(HI, false, Map.of("x", "v")));
    }

    @Test
    void jinjaInsideAMessageOrATokenIsPrintedNotRun() {
        ChatTemplate t = ChatTemplate.of("{{ bos_token }}{% for m in messages %}[{{ m.content }}]{% endfor %}",
                Map.of("bos_token", "{{ 1 + 1 }}"));
        assertEquals("{{ 1 + 1 }}[{{ 7 * 7 }} {% if true %}x{% endif %}]",
                t.render(List.of(ChatMessage.user("{{ 7 * 7 }} {% if true %}x{% endif %}")), false));
    }

    @Test
    void oneTrailingNewlineIsDroppedAsJinja2Does() {
        assertEquals("a", ChatTemplate.of("{{ 'a' }}\n", Map.of()).render(HI, false));
        assertEquals("a\n", ChatTemplate.of("{{ 'a' }}\n\n", Map.of()).render(HI, false));
    }

    @Test
    void pythonStringMethodsAndTrimUsePythonsWhitespace() {
        ChatTemplate t = ChatTemplate.of("[{{ messages[0].content | trim }}][{{ messages[0].content.strip() }}]"
                + "[{{ messages[0].content.split() | join(',') }}][{{ 'ab cd'.title() }}][{{ 'a-b-c'.split('-', 1) | "
                + "join('|') }}][{{ 'aXbX'.replace('X', '', 1) }}][{{ 'abc'.startswith(('x', 'a')) }}]", Map.of());
        String content = "\u00a0 x\u2007y\u3000\t";
        assertEquals("[x\u2007y][x\u2007y][x,y][Ab Cd][a|b-c][abX][True]",
                t.render(List.of(ChatMessage.user(content)), false));
    }

    @Test
    void tojsonIsPythonsJsonDumps() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("s", "ü\"\\\n\u0001");
        value.put("i", 3);
        value.put("floats", List.of(1.0, 0.0001, 1e-05, 1e16, 123456789.5, -0.5));
        value.put("b", true);
        value.put("none", null);
        value.put("empty", List.of());
        assertEquals("{\"s\": \"ü\\\"\\\\\\n\\u0001\", \"i\": 3, \"floats\": [1.0, 0.0001, 1e-05, 1e+16, 123456789.5, "
                + "-0.5], \"b\": true, \"none\": null, \"empty\": []}", PyJson.dumps(value, null));
        assertEquals("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}",
                PyJson.dumps(Map.of("a", List.of(1, 2)).entrySet().stream().collect(LinkedHashMap::new,
                        (m, e) -> { m.put(e.getKey(), e.getValue()); m.put("b", Map.of()); }, Map::putAll), 2));
        assertEquals("[{\"role\": \"user\", \"content\": \"Hi\"}]",
                ChatTemplate.of("{{ messages | tojson }}", Map.of()).render(HI, false));
        assertEquals("[\n    {\n        \"role\": \"user\",\n        \"content\": \"Hi\"\n    }\n]",
                ChatTemplate.of("{{ messages | tojson(indent=4) }}", Map.of()).render(HI, false));
    }

    @Test
    void specialTokensAndVariablesReachTheTemplate() {
        ChatTemplate t = ChatTemplate.of("{{ bos_token }}|{{ eos_token }}|{{ pad_token }}|{{ add_generation_prompt }}",
                Map.of("bos_token", "<s>", "eos_token", "</s>"));
        assertEquals("<s>|</s>||True", t.render(HI, true));
        assertEquals("<s>|X||False", t.render(HI, false, Map.of("eos_token", "X")));
    }
}
