package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random invalid calls to every public entry point, each with exactly one thing wrong: always the documented
 * exception, and a copy of every buffer taken before proves nothing was written. The same calls with that one thing put
 * right must succeed, so every case really is invalid for the reason it claims.
 */
class BadInputFuzzTest {

    private static final int CASES = 20_000;

    enum Entry { FORWARD, FORWARD_MASK, BACKWARD_REGENERATE, BACKWARD_BITS, EVAL, MASK, LAYER_FORWARD, LAYER_FORWARD_MASK }

    enum Fault { NULL_IN, NULL_OUT, NULL_MASK, NEGATIVE_LENGTH, NEGATIVE_IN_OFFSET, IN_PAST_END, OUT_PAST_END,
        OFFSET_OVERFLOW, MASK_TOO_SHORT, NEGATIVE_MASK_OFFSET, NEGATIVE_STREAM, STREAM_OVERFLOW, PARTIAL_OVERLAP }

    /** One call's arguments. */
    private static final class Call {
        float[] in = new float[300];
        float[] out = new float[300];
        long[] mask = new long[8];
        int inOff;
        int outOff;
        int maskOff;
        int length;
        long stream;
    }

    private static Call valid(SplittableRandom random) {
        Call c = new Call();
        c.length = random.nextInt(1, 200);
        c.inOff = random.nextInt(0, 300 - c.length + 1);
        c.outOff = random.nextInt(0, 300 - c.length + 1);
        c.maskOff = random.nextInt(0, 8 - Dropout.maskWords(c.length) + 1);
        c.stream = random.nextLong(0, 1L << 62);
        for (int i = 0; i < 300; i++) {
            c.in[i] = random.nextFloat();
            c.out[i] = random.nextFloat();
        }
        for (int i = 0; i < 8; i++) {
            c.mask[i] = random.nextLong();
        }
        return c;
    }

    /** Applies {@code fault}; returns the exception it must cause, or null if it does not apply to {@code entry}. */
    private static Class<? extends RuntimeException> inject(Fault fault, Entry entry, Call c, SplittableRandom random,
                                                            DropoutLayer layer) {
        boolean hasMask = entry == Entry.FORWARD_MASK || entry == Entry.BACKWARD_BITS || entry == Entry.MASK
                || entry == Entry.LAYER_FORWARD_MASK;
        boolean hasIn = entry != Entry.MASK;
        boolean hasStream = entry == Entry.FORWARD || entry == Entry.FORWARD_MASK || entry == Entry.BACKWARD_REGENERATE
                || entry == Entry.MASK;
        switch (fault) {
            case NULL_IN -> { if (!hasIn) return null; c.in = null; return NullPointerException.class; }
            case NULL_OUT -> { if (!hasIn) return null; c.out = null; return NullPointerException.class; }
            case NULL_MASK -> { if (!hasMask) return null; c.mask = null; return NullPointerException.class; }
            case NEGATIVE_LENGTH -> { c.length = -random.nextInt(1, Integer.MAX_VALUE); return IllegalArgumentException.class; }
            case NEGATIVE_IN_OFFSET -> { if (!hasIn) return null; c.inOff = -random.nextInt(1, Integer.MAX_VALUE); return IndexOutOfBoundsException.class; }
            case IN_PAST_END -> { if (!hasIn) return null; c.inOff = 300 - c.length + random.nextInt(1, 1000); return IndexOutOfBoundsException.class; }
            case OUT_PAST_END -> { if (!hasIn) return null; c.outOff = 300 - c.length + random.nextInt(1, 1000); return IndexOutOfBoundsException.class; }
            case OFFSET_OVERFLOW -> { if (!hasIn) return null; c.outOff = Integer.MAX_VALUE - random.nextInt(0, 100); return IndexOutOfBoundsException.class; }
            case MASK_TOO_SHORT -> { if (!hasMask) return null; c.maskOff = 8 - Dropout.maskWords(c.length) + random.nextInt(1, 5); return IndexOutOfBoundsException.class; }
            case NEGATIVE_MASK_OFFSET -> { if (!hasMask) return null; c.maskOff = -random.nextInt(1, 1000); return IndexOutOfBoundsException.class; }
            case NEGATIVE_STREAM -> { if (!hasStream) return null; c.stream = -random.nextLong(1, Long.MAX_VALUE); return IllegalArgumentException.class; }
            case STREAM_OVERFLOW -> {
                if (entry == Entry.LAYER_FORWARD || entry == Entry.LAYER_FORWARD_MASK) {
                    layer.seek(Long.MAX_VALUE - random.nextInt(0, c.length)); // the next range would pass 2^63 - 1
                    return IllegalArgumentException.class;
                }
                if (!hasStream) return null;
                c.stream = Long.MAX_VALUE - random.nextInt(0, c.length);
                return IllegalArgumentException.class;
            }
            case PARTIAL_OVERLAP -> {
                if (!hasIn || c.length < 2) return null;
                c.out = c.in;
                c.outOff = c.inOff + (random.nextBoolean() ? 1 : -1) * random.nextInt(1, c.length);
                if (c.outOff < 0 || c.outOff > 300 - c.length) return null;
                return IllegalArgumentException.class;
            }
            default -> throw new AssertionError(fault);
        }
    }

    private static void invoke(Entry entry, Call c, Dropout dropout, DropoutLayer layer) {
        switch (entry) {
            case FORWARD -> dropout.forward(7, c.stream, c.in, c.inOff, c.out, c.outOff, c.length);
            case FORWARD_MASK -> dropout.forward(7, c.stream, c.in, c.inOff, c.out, c.outOff, c.length, c.mask, c.maskOff);
            case BACKWARD_REGENERATE -> dropout.backward(7, c.stream, c.in, c.inOff, c.out, c.outOff, c.length);
            case BACKWARD_BITS -> dropout.backward(c.mask, c.maskOff, c.in, c.inOff, c.out, c.outOff, c.length);
            case EVAL -> dropout.eval(c.in, c.inOff, c.out, c.outOff, c.length);
            case MASK -> dropout.mask(7, c.stream, c.mask, c.maskOff, c.length);
            case LAYER_FORWARD -> layer.forward(c.in, c.inOff, c.out, c.outOff, c.length);
            case LAYER_FORWARD_MASK -> layer.forward(c.in, c.inOff, c.out, c.outOff, c.length, c.mask, c.maskOff);
        }
    }

    @Test
    void everyInvalidCallThrowsTheDocumentedExceptionAndWritesNothing() {
        SplittableRandom random = new SplittableRandom(2026);
        int[] seen = new int[Fault.values().length];
        for (int i = 0; i < CASES; i++) {
            Entry entry = Entry.values()[random.nextInt(Entry.values().length)];
            Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
            Dropout dropout = random.nextBoolean() ? Dropout.inverted(random.nextDouble()) : Dropout.classic(random.nextDouble());
            DropoutLayer layer = new DropoutLayer(dropout, 3);
            long start = random.nextLong(0, 1L << 40);
            layer.seek(start);
            Call call = valid(random);
            invoke(entry, call, dropout, layer); // the call succeeds before its one fault is injected
            layer.seek(start);
            Class<? extends RuntimeException> expected = inject(fault, entry, call, random, layer);
            if (expected == null) {
                continue;
            }
            long position = layer.position();
            float[] in = call.in == null ? null : call.in.clone();
            float[] out = call.out == null ? null : call.out.clone();
            long[] mask = call.mask == null ? null : call.mask.clone();
            RuntimeException e = assertThrows(RuntimeException.class, () -> invoke(entry, call, dropout, layer),
                    entry + " with " + fault + " did not throw");
            if (!expected.isInstance(e)) {
                fail(entry + " with " + fault + ": expected " + expected.getSimpleName() + ", got " + e);
            }
            assertNotNull(e.getMessage(), "exceptions must say what is wrong");
            String what = entry + " with " + fault + " wrote to ";
            assertTrue(Arrays.equals(in, call.in), what + "its input");
            assertTrue(Arrays.equals(out, call.out), what + "its output");
            assertTrue(Arrays.equals(mask, call.mask), what + "its mask");
            assertEquals(position, layer.position(), entry + " with " + fault + " moved the layer");
            seen[fault.ordinal()]++;
        }
        for (Fault fault : Fault.values()) {
            assertTrue(seen[fault.ordinal()] > 100, fault + " was tried only " + seen[fault.ordinal()] + " times");
        }
    }
}
