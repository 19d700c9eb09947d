package dev.lethe.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.Device;
import dev.lethe.data.Dataset;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Jsonl;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.HfFolder;
import dev.lethe.model.GptConfig;
import dev.lethe.model.WordTokenizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Corrupted input files, 72 of them (10 corruptions of safetensors checkpoints, 8 of QA / passage /
 * multiple-choice JSONL files, 6 of a GPT-2 folder's {@code config.json}, each at three seeds): every one is rejected
 * with an {@link IllegalArgumentException} whose message names the file and what is wrong (the line for JSON
 * lines, the tensor or field otherwise), never another exception, and the folder holds nothing new afterwards
 * (a failed load writes nothing).
 */
class CorruptedFilesTest {
    private static final GptConfig CONFIG = new GptConfig(40, 1, 16, 2, 16, 0f);
    private static byte[] checkpoint;
    private static byte[] qa;
    private static byte[] passages;
    private static byte[] choices;
    private static String gpt2Config;

    @TempDir
    static Path source;

    @BeforeAll
    static void validFiles() throws Exception {
        try (CausalLm model = CausalLm.initialize(CONFIG, 1, Device.cpu())) {
            model.save(source.resolve("model.safetensors"));
            checkpoint = Files.readAllBytes(source.resolve("model.safetensors"));
        }
        Dataset data = FictitiousFacts.of(6, 0.2).load(1);
        Jsonl.write(source.resolve("qa.jsonl"), data.get(Split.RETAIN));
        Jsonl.writePassages(source.resolve("p.jsonl"), data.passages(Split.RETAIN));
        Jsonl.writeChoices(source.resolve("c.jsonl"), data.choices(Split.RETAIN));
        qa = Files.readAllBytes(source.resolve("qa.jsonl"));
        passages = Files.readAllBytes(source.resolve("p.jsonl"));
        choices = Files.readAllBytes(source.resolve("c.jsonl"));
        WordTokenizer words = data.fitTokenizer();
        try (CausalLm model = CausalLm.initialize(CONFIG.withVocabSize(words.vocabSize()), 1, Device.cpu())) {
            HfFolder.save(source.resolve("gpt2"), model, words);
        }
        gpt2Config = Files.readString(source.resolve("gpt2/config.json"));
    }

    /** A corruption: what it does to a valid file, and a word its error message must contain. */
    private record Corruption(String name, String kind, Function<Random, byte[]> make, String expected) {}

    private static final List<Corruption> CORRUPTIONS = List.of(
            new Corruption("truncated", "safetensors", r -> Arrays.copyOf(checkpoint, r.nextInt(checkpoint.length - 1)),
                    ""),
            new Corruption("header length past the end", "safetensors", r -> withHeaderLength(checkpoint.length + 1L
                    + r.nextInt(1000)), "header length"),
            new Corruption("huge header length", "safetensors", r -> withHeaderLength(Long.MAX_VALUE - r.nextInt(9)),
                    "header length"),
            new Corruption("garbage header", "safetensors", r -> garbleHeader(r), ""),
            new Corruption("unknown dtype", "safetensors", r -> replaceInHeader("\"F32\"", r.nextBoolean() ? "\"C64\""
                    : "\"I8\""), "dtype"),
            new Corruption("shape not matching the bytes", "safetensors", r -> replaceInHeader("[40,16]", "[41,16]"),
                    "wte.weight"),
            new Corruption("huge dimension", "safetensors", r -> replaceInHeader("[40,16]",
                    "[9223372036854775807,16]"), "wte.weight"),
            new Corruption("offsets out of range", "safetensors", r -> shiftFirstOffsets(r), "byte range"),
            new Corruption("missing tensor", "safetensors", r -> replaceInHeader("\"ln_f.weight\"", "\"ln_x.weight\""),
                    "ln_f.weight"),
            new Corruption("NaN weights", "safetensors", CorruptedFilesTest::nanWeights, "not finite"),
            new Corruption("broken JSON line", "qa", r -> cutLine(qa, r), "not valid JSON"),
            new Corruption("missing answer", "qa", r -> replaceText(qa, "\"answer\"", "\"answr\""), "answer"),
            new Corruption("answer of the wrong type", "qa", r -> replaceFirstValue(qa, "\"answer\":", "42}"), "answer"),
            new Corruption("invalid UTF-8", "qa", r -> invalidUtf8(qa, r), "UTF-8"),
            new Corruption("a line that is no object", "passages", r -> ("[1, 2]\n" + new String(passages,
                    StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8), ""),
            new Corruption("passage without text", "passages", r -> replaceText(passages, "\"text\"", "\"txt\""), "text"),
            new Corruption("choices not a list", "choices", r -> replaceText(choices, "\"choices\":[", "\"choices\":{\"a\":["),
                    "choices"),
            new Corruption("answer index out of range", "choices", r -> replaceAnswerIndex(choices, 7 + r.nextInt(5)),
                    "answer"),
            new Corruption("config not JSON", "config", r -> gpt2Config.substring(0, 1 + r.nextInt(gpt2Config.length() - 2))
                    .getBytes(StandardCharsets.UTF_8), "config.json"),
            new Corruption("config field of the wrong type", "config", r -> gpt2Config.replace("\"n_embd\" : 16",
                    "\"n_embd\" : \"sixteen\"").getBytes(StandardCharsets.UTF_8), "n_embd"),
            new Corruption("config negative size", "config", r -> gpt2Config.replace("\"n_layer\" : 1",
                    "\"n_layer\" : -" + (1 + r.nextInt(3))).getBytes(StandardCharsets.UTF_8), "layers"),
            new Corruption("config shape not the weights'", "config", r -> gpt2Config.replace("\"n_head\" : 2",
                    "\"n_head\" : 4").replace("\"n_embd\" : 16", "\"n_embd\" : 32").getBytes(StandardCharsets.UTF_8),
                    "shape"),
            new Corruption("config missing field", "config", r -> gpt2Config.replace("\"n_layer\" : 1,", "")
                    .getBytes(StandardCharsets.UTF_8), "n_layer"),
            new Corruption("config unsupported activation", "config", r -> gpt2Config.replace("\"gelu\"", "\"swish\"")
                    .getBytes(StandardCharsets.UTF_8), "activation_function"));

    static IntStream cases() {
        return IntStream.range(0, CORRUPTIONS.size() * 3);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everyCorruptedFileIsRejectedWithAClearMessage(int index, @TempDir Path dir) throws Exception {
        Corruption c = CORRUPTIONS.get(index % CORRUPTIONS.size());
        Random random = new Random(index);
        byte[] bytes = c.make().apply(random);
        Path file = switch (c.kind()) {
            case "safetensors" -> dir.resolve("model.safetensors");
            case "config" -> {
                Path folder = dir.resolve("gpt2");
                Files.createDirectories(folder);
                for (String f : List.of("model.safetensors", "tokenizer.json", "lethe-tokenizer.json")) {
                    Files.copy(source.resolve("gpt2").resolve(f), folder.resolve(f));
                }
                yield folder.resolve("config.json");
            }
            default -> dir.resolve(c.kind() + ".jsonl");
        };
        Files.write(file, bytes);
        List<Path> before = listing(dir);
        try {
            switch (c.kind()) {
                case "safetensors" -> CausalLm.load(file, CONFIG, Device.cpu()).close();
                case "config" -> HfFolder.load(file.getParent(), Device.cpu()).close();
                case "qa" -> Jsonl.read(file);
                case "passages" -> Jsonl.readPassages(file);
                default -> Jsonl.readChoices(file);
            }
            fail(c.name() + ": accepted");
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            // a config.json that contradicts the weights is reported at the tensor that does not fit
            String named = c.expected().equals("shape") ? "model.safetensors" : file.getFileName().toString();
            assertTrue(m.contains(named), c.name() + ": the message names the file: " + m);
            assertTrue(m.contains(c.expected()), c.name() + ": the message says '" + c.expected() + "': " + m);
            if (c.kind().equals("qa") || c.kind().equals("passages") || c.kind().equals("choices")) {
                assertTrue(java.util.regex.Pattern.compile("\\.jsonl:\\d+: ").matcher(m).find() || m.contains("UTF-8"),
                        c.name() + ": the message names the line (file:line:): " + m);
            }
        }
        assertEquals(before, listing(dir), c.name() + ": a failed load writes nothing");
    }

    private static List<Path> listing(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            return files.sorted().toList();
        }
    }

    private static int headerLength() {
        return (int) ByteBuffer.wrap(checkpoint).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static byte[] withHeaderLength(long length) {
        byte[] b = checkpoint.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return b;
    }

    /** Breaks the header's JSON where it starts or ends (its key order varies from one JVM to the next). */
    private static byte[] garbleHeader(Random r) {
        byte[] b = checkpoint.clone();
        int at = r.nextBoolean() ? 8 : 8 + headerLength() - 1;
        while (b[at] == ' ') {
            at--;
        }
        b[at] = (byte) "x[]:,\u0001".charAt(r.nextInt(6));
        return b;
    }

    /** Replaces text inside the JSON header, keeping its length field right. */
    private static byte[] replaceInHeader(String from, String to) {
        int n = headerLength();
        String header = new String(checkpoint, 8, n, StandardCharsets.UTF_8);
        if (!header.contains(from)) {
            throw new IllegalStateException("header lacks " + from + ": " + header);
        }
        byte[] h = header.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to))
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + checkpoint.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(checkpoint, 8 + n, checkpoint.length - 8 - n);
        return out.array();
    }

    private static byte[] shiftFirstOffsets(Random r) {
        String header = new String(checkpoint, 8, headerLength(), StandardCharsets.UTF_8);
        var m = java.util.regex.Pattern.compile("\"data_offsets\":\\[(\\d+),(\\d+)]").matcher(header);
        if (!m.find()) {
            throw new IllegalStateException(header);
        }
        long end = Long.parseLong(m.group(2)) + checkpoint.length + r.nextInt(100);
        return replaceInHeader(m.group(), "\"data_offsets\":[" + m.group(1) + "," + end + "]");
    }

    private static byte[] nanWeights(Random r) {
        byte[] b = checkpoint.clone();
        int dataStart = 8 + headerLength();
        int at = dataStart + 4 * r.nextInt((b.length - dataStart) / 4);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, r.nextBoolean() ? Float.NaN
                : Float.POSITIVE_INFINITY);
        return b;
    }

    private static byte[] cutLine(byte[] file, Random r) {
        String[] lines = new String(file, StandardCharsets.UTF_8).split("\n");
        int i = r.nextInt(lines.length);
        lines[i] = lines[i].substring(0, 1 + r.nextInt(lines[i].length() - 2));
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] replaceText(byte[] file, String from, String to) {
        String s = new String(file, StandardCharsets.UTF_8);
        if (!s.contains(from)) {
            throw new IllegalStateException("no " + from + " in " + s.substring(0, Math.min(200, s.length())));
        }
        return s.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Replaces the value after {@code key} up to the end of its line's object with {@code replacement}. */
    private static byte[] replaceFirstValue(byte[] file, String key, String replacement) {
        String s = new String(file, StandardCharsets.UTF_8);
        int at = s.indexOf(key);
        int end = s.indexOf('\n', at);
        return (s.substring(0, at + key.length()) + replacement + s.substring(end)).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] invalidUtf8(byte[] file, Random r) {
        byte[] b = file.clone();
        int at = 2 + r.nextInt(b.length / 2);
        b[at] = (byte) 0xC3;
        b[at + 1] = (byte) 0x28;
        return b;
    }

    private static byte[] replaceAnswerIndex(byte[] file, int index) {
        String s = new String(file, StandardCharsets.UTF_8);
        return s.replaceFirst("\"answer\":\\d+", "\"answer\":" + index).getBytes(StandardCharsets.UTF_8);
    }

}
