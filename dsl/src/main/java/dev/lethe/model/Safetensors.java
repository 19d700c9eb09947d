package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.io.AtomicFiles;
import dev.lethe.io.ConfinedPaths;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format: an
 * 8-byte little-endian header length, a JSON header mapping each tensor name to its dtype, shape and
 * byte range, then the raw little-endian data.
 *
 * <p>F32 and F16 tensors load as they are; BF16 tensors are widened to F32 here in Java, because DJL's
 * PyTorch JNI aborts the JVM on BFLOAT16 arrays, and are written from F32 arrays in Java for the same reason.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L * 1024 * 1024;

    private Safetensors() {}

    /**
     * Writes {@code tensors} (F32 or F16) and string metadata to {@code file} atomically. The tensors are copied
     * to the file one at a time, so the Java heap holds at most the largest of them, not all (a GPT-2-small
     * checkpoint with Adam's moments is 1.5 GB).
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            DataType type = a.getDataType();
            if (type != DataType.FLOAT32 && type != DataType.FLOAT16) {
                throw new IllegalArgumentException("only F32 and F16 tensors are written, '" + e.getKey() + "' is " + type);
            }
            entries.add(new Entry(e.getKey(), type == DataType.FLOAT32 ? StoredType.F32 : StoredType.F16,
                    a.getShape(), () -> a));
        }
        write(file, entries, metadata);
    }

    /** How a tensor's values are stored in the file. */
    enum StoredType {
        /** IEEE single precision. */
        F32(4),
        /** IEEE half precision. */
        F16(2),
        /**
         * bfloat16, the upper half of an F32, rounded to nearest even (as {@code torch.Tensor.to(torch.bfloat16)}
         * rounds); written from F32 arrays in Java, since DJL's JNI cannot hold BF16 arrays.
         */
        BF16(2);

        final int width;

        StoredType(int width) {
            this.width = width;
        }
    }

    /**
     * One tensor to write: its name, stored type, shape, and its values, made only when the tensor is written
     * (so that a transposed or narrowed copy exists for one tensor at a time). {@code values} returns an F32
     * array for {@link StoredType#F32} and {@link StoredType#BF16}, an F16 one for {@link StoredType#F16}; arrays
     * it creates are freed once the tensor is written.
     */
    record Entry(String name, StoredType type, Shape shape, Supplier<NDArray> values) {}

    /** Writes {@code entries} and string metadata to {@code file} atomically, one tensor at a time. */
    static void write(Path file, List<Entry> entries, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Entry e : entries) {
            long bytes = e.shape().size() * e.type().width;
            ObjectNode entry = header.putObject(e.name());
            entry.put("dtype", e.type().name());
            var shape = entry.putArray("shape");
            for (long dim : e.shape().getShape()) {
                shape.add(dim);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(json);
            for (int i = json.length; i < padded; i++) {
                out.write(' ');
            }
            for (Entry e : entries) {
                try (NDScope scope = new NDScope()) {
                    NDArray a = e.values().get();
                    DataType expected = e.type() == StoredType.F16 ? DataType.FLOAT16 : DataType.FLOAT32;
                    if (a.getDataType() != expected || !a.getShape().equals(e.shape())) {
                        throw new IllegalArgumentException("tensor '" + e.name() + "' is " + a.getDataType() + " "
                                + a.getShape() + ", expected " + expected + " " + e.shape() + " to write it as "
                                + e.type());
                    }
                    writeLittleEndian(a, e.type(), out);
                }
            }
        });
    }

    /**
     * Reads every tensor of {@code file} into {@code manager}, in file order.
     *
     * @throws IllegalArgumentException naming the file and the tensor when the file is malformed
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        ConfinedPaths.regularFile(file, "safetensors file");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file, channel, manager);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * The string metadata of {@code file}'s header ({@code __metadata__}; empty when it has none).
     *
     * @throws IllegalArgumentException naming the file when the header is malformed
     */
    public static Map<String, String> metadata(Path file) {
        ConfinedPaths.regularFile(file, "safetensors file");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long headerLength = size < 8 ? -1 : readFully(channel, 0, 8).getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
                throw bad(file, "header length " + headerLength + " does not fit a file of " + size + " bytes");
            }
            JsonNode meta = JSON.readTree(new String(readFully(channel, 8, (int) headerLength).array(),
                    StandardCharsets.UTF_8)).path("__metadata__");
            Map<String, String> out = new LinkedHashMap<>();
            meta.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Reads the header, then each tensor's bytes straight from the file: the heap holds one tensor at a time. */
    private static Map<String, NDArray> read(Path file, FileChannel channel, NDManager manager) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw bad(file, "file is " + size + " bytes, shorter than the 8-byte header length");
        }
        long headerLength = readFully(channel, 0, 8).getLong();
        if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
            throw bad(file, "header length " + headerLength + " does not fit a file of " + size + " bytes");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(readFully(channel, 8, (int) headerLength).array(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw bad(file, "header is not valid JSON: " + e.getMessage());
        }
        if (header == null || !header.isObject()) {
            throw bad(file, "header is not a JSON object");
        }
        long dataStart = 8 + headerLength;
        long dataLength = size - dataStart;
        Map<String, NDArray> out = new LinkedHashMap<>();
        TreeMap<Long, Long> ranges = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            JsonNode t = e.getValue();
            String dtype = t.path("dtype").asText("");
            JsonNode shapeNode = t.path("shape");
            JsonNode offsets = t.path("data_offsets");
            if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw bad(file, "tensor '" + name + "' needs 'shape' and two 'data_offsets'");
            }
            long[] dims = new long[shapeNode.size()];
            long count = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = shapeNode.get(i).asLong(-1);
                if (dims[i] < 0) {
                    throw bad(file, "tensor '" + name + "' has a negative or non-numeric dimension");
                }
                try {
                    count = Math.multiplyExact(count, dims[i]);
                } catch (ArithmeticException overflow) {
                    throw bad(file, "tensor '" + name + "' has shape " + shapeNode + ", too large for any file");
                }
            }
            long begin = offsets.get(0).asLong(-1);
            long end = offsets.get(1).asLong(-1);
            int width = switch (dtype) {
                case "F32" -> 4;
                case "F16", "BF16" -> 2;
                default -> throw bad(file, "tensor '" + name + "' has dtype '" + dtype
                        + "'; supported: F32, F16, BF16");
            };
            if (begin < 0 || end < begin || end > dataLength || count > dataLength || end - begin != count * width) {
                throw bad(file, "tensor '" + name + "' byte range [" + begin + ", " + end + ") does not match "
                        + count + " " + dtype + " values in " + dataLength + " data bytes");
            }
            Map.Entry<Long, Long> before = end > begin ? ranges.floorEntry(end - 1) : null;
            if (before != null && before.getValue() > begin) {
                throw bad(file, "tensor '" + name + "' byte range [" + begin + ", " + end + ") overlaps another "
                        + "tensor's [" + before.getKey() + ", " + before.getValue() + ")");
            }
            if (end > begin) {
                ranges.put(begin, end);
            }
            if (end - begin > Integer.MAX_VALUE - 8) {
                throw bad(file, "tensor '" + name + "' is " + (end - begin) + " bytes, more than one array can hold");
            }
            ByteBuffer slice = readFully(channel, dataStart + begin, (int) (end - begin));
            Shape shape = new Shape(dims);
            NDArray array = switch (dtype) {
                case "F32" -> {
                    float[] v = new float[(int) count];
                    slice.asFloatBuffer().get(v);
                    yield manager.create(v, shape);
                }
                case "BF16" -> {
                    float[] v = new float[(int) count];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = Float.intBitsToFloat((slice.getShort(2 * i) & 0xffff) << 16);
                    }
                    yield manager.create(v, shape);
                }
                default -> manager.create(slice, shape, DataType.FLOAT16);
            };
            array = NativeCopy.of(array);
            array.setName(name);
            out.put(name, array);
        }
        return out;
    }

    /** {@code length} bytes of {@code channel} from {@code position}, as a little-endian buffer. */
    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (channel.read(buf, position + buf.position()) < 0) {
                throw new EOFException("the file ended early");
            }
        }
        return buf.flip().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Writes the values of {@code a} to {@code out} as {@code type}, little-endian, a megabyte at a time. BF16
     * keeps the upper 16 bits of each F32 after rounding to nearest even; a NaN stays a (quiet) NaN.
     */
    private static void writeLittleEndian(NDArray a, StoredType type, OutputStream out) throws IOException {
        ByteBuffer values = a.toByteBuffer().order(ByteOrder.nativeOrder());
        int inWidth = type == StoredType.F16 ? 2 : 4;
        byte[] chunk = new byte[1 << 20];
        while (values.hasRemaining()) {
            int n = Math.min(values.remaining(), chunk.length);
            ByteBuffer part = values.slice().limit(n).order(ByteOrder.nativeOrder());
            ByteBuffer le = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
            switch (type) {
                case F32 -> le.asFloatBuffer().put(part.asFloatBuffer());
                case F16 -> le.asShortBuffer().put(part.asShortBuffer());
                case BF16 -> {
                    var floats = part.asFloatBuffer();
                    var shorts = le.asShortBuffer();
                    while (floats.hasRemaining()) {
                        shorts.put(bfloat16(floats.get()));
                    }
                }
            }
            out.write(chunk, 0, n / inWidth * type.width);
            values.position(values.position() + n);
        }
    }

    /** The bfloat16 nearest to {@code f} (ties to even), as its 16 bits. */
    static short bfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    private static IllegalArgumentException bad(Path file, String message) {
        return new IllegalArgumentException(file + ": " + message);
    }
}
