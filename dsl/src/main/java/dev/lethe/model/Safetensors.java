package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format: an
 * 8-byte little-endian header length, a JSON header mapping each tensor name to its dtype, shape and
 * byte range, then the raw little-endian data.
 *
 * <p>F32 and F16 tensors load as they are; BF16 tensors are widened to F32 here in Java, because DJL's
 * PyTorch JNI aborts the JVM on BFLOAT16 arrays.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L * 1024 * 1024;

    private Safetensors() {}

    /** Writes {@code tensors} (F32 or F16) and string metadata to {@code file} atomically. */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        Map<String, byte[]> data = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            byte[] bytes = littleEndianBytes(a);
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", dtypeName(a.getDataType()));
            var shape = entry.putArray("shape");
            for (long dim : a.getShape().getShape()) {
                shape.add(dim);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes.length);
            offset += bytes.length;
            data.put(e.getKey(), bytes);
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
            for (byte[] bytes : data.values()) {
                out.write(bytes);
            }
        });
    }

    /**
     * Reads every tensor of {@code file} into {@code manager}, in file order.
     *
     * @throws IllegalArgumentException naming the file and the tensor when the file is malformed
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (all.length < 8) {
            throw bad(file, "file is " + all.length + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buf.getLong();
        if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > all.length) {
            throw bad(file, "header length " + headerLength + " does not fit a file of " + all.length + " bytes");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(all, 8, (int) headerLength, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw bad(file, "header is not valid JSON: " + e.getMessage());
        }
        if (header == null || !header.isObject()) {
            throw bad(file, "header is not a JSON object");
        }
        int dataStart = 8 + (int) headerLength;
        long dataLength = all.length - dataStart;
        Map<String, NDArray> out = new LinkedHashMap<>();
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
            ByteBuffer slice = ByteBuffer.wrap(all, dataStart + (int) begin, (int) (end - begin))
                    .slice().order(ByteOrder.LITTLE_ENDIAN);
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
            array.setName(name);
            out.put(name, array);
        }
        return out;
    }

    private static byte[] littleEndianBytes(NDArray a) {
        DataType type = a.getDataType();
        if (type != DataType.FLOAT32 && type != DataType.FLOAT16) {
            throw new IllegalArgumentException("only F32 and F16 tensors are written, '" + a.getName() + "' is " + type);
        }
        ByteBuffer native_ = a.toByteBuffer();
        ByteBuffer out = ByteBuffer.allocate(native_.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        native_.order(ByteOrder.nativeOrder());
        if (type == DataType.FLOAT32) {
            out.asFloatBuffer().put(native_.asFloatBuffer());
        } else {
            out.asShortBuffer().put(native_.asShortBuffer());
        }
        return out.array();
    }

    private static String dtypeName(DataType type) {
        return type == DataType.FLOAT32 ? "F32" : "F16";
    }

    private static IllegalArgumentException bad(Path file, String message) {
        return new IllegalArgumentException(file + ": " + message);
    }
}
