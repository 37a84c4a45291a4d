package dev.vecdrop.vector;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which class of segment kernels a call's data segments go to ({@link Carriers}): every way a user gets a native
 * segment reaches the native twin when all of a call's data segments are native, and a heap segment anywhere in the
 * call keeps it off that twin. The split is what keeps heap and native data out of one class's loops, which C2
 * otherwise compiles 5-50 times slower for both (JMH {@code SegmentKindsBenchmarks}; speed is not asserted here).
 */
class CarriersTest {

    @Test
    void everyKindOfNativeSegmentGoesToTheNativeTwin() {
        try (Arena confined = Arena.ofConfined(); Arena shared = Arena.ofShared()) {
            MemorySegment a = confined.allocate(256, 64);
            MemorySegment[] natives = {
                    a, shared.allocate(256), Arena.ofAuto().allocate(64), Arena.global().allocate(64),
                    a.asSlice(4, 128), a.asReadOnly(), MemorySegment.ofAddress(a.address()).reinterpret(256),
                    MemorySegment.ofBuffer(ByteBuffer.allocateDirect(64))};
            for (MemorySegment s : natives) {
                assertTrue(Carriers.allNative(s, null, null, null), s.toString());
                assertTrue(Carriers.allNative(a, s, null, null), s.toString());
                assertTrue(Carriers.allNative(a, a, s, a), s.toString());
            }
        }
    }

    /** A file mapped into an arena: a subclass of the native class, taken by name ({@link Carriers#MAPPED}). */
    @Test
    void aMappedFileGoesToTheNativeTwin(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("data");
        Files.write(file, new byte[4096]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, 4096, arena);
            assertTrue(mapped.isMapped(), "not a mapped segment: " + mapped);
            assertTrue(Carriers.allNative(mapped, null, null, null), mapped.toString());
            assertTrue(Carriers.allNative(arena.allocate(64), mapped.asSlice(64), null, null), mapped.toString());
            assertFalse(Carriers.allNative(mapped, MemorySegment.ofArray(new float[4]), null, null));
        }
    }

    @Test
    void aHeapSegmentAnywhereKeepsTheCallOffTheNativeTwin() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocate(256, 64);
            MemorySegment[] heaps = {MemorySegment.ofArray(new float[4]), MemorySegment.ofArray(new double[4]),
                    MemorySegment.ofArray(new byte[16]), MemorySegment.ofBuffer(ByteBuffer.allocate(16))};
            for (MemorySegment h : heaps) {
                assertFalse(Carriers.allNative(h, null, null, null), h.toString());
                assertFalse(Carriers.allNative(n, h, null, null), h.toString());
                assertFalse(Carriers.allNative(n, n, h, null), h.toString());
                assertFalse(Carriers.allNative(n, n, n, h), h.toString());
            }
        }
    }
}
