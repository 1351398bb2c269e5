package dev.jvmm.cpu.riscv.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeElement;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.constant.ClassDesc;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which exits of a compiled block get link slots (the chained calls that need no lookup). */
class BlockLinkSlotTest {

    private static final long BASE = Lockstep.RAM_BASE;

    /** The constant targets of {@code classBytes}'s link slots, in slot order. */
    private static List<Long> linkTargets(byte[] classBytes) {
        List<Long> targets = new ArrayList<>();
        for (MethodModel m : ClassFile.of().parse(classBytes).methods()) {
            if (m.methodName().equalsString("linkTargets")) {
                for (CodeElement e : m.code().orElseThrow()) {
                    if (e instanceof ConstantInstruction ci && ci.constantValue() instanceof Long v) {
                        targets.add(v);
                    }
                }
            }
        }
        return targets;
    }

    @Test
    void loadsAndStoresSlowPathsLeaveTheSlotsToTheBranch() {
        // More loads and stores than link slots, each with a slow path that leaves the block,
        // then a branch: its two ways are what the block is usually left by.
        String src = "loop:\n" + "    ld   a2, 0(sp)\n    sd   a2, 8(sp)\n".repeat(6)
                + "    bne  a0, a1, loop\nafter:\n    nop\n";
        Assembler.Program p = Assembler.assemble(src, BASE);
        GuestBlock block = BlockDecoder.decode(MemorySegment.ofArray(p.image()), BASE, 0, 128);
        BlockCompiler compiler = new BlockCompiler(ClassHierarchyResolver.defaultResolver()
                .orElse(ClassHierarchyResolver.ofClassLoading(MethodHandles.lookup())));
        byte[] bytes = compiler.compile(block, ClassDesc.of("dev.jvmm.cpu.riscv", "BlockLinkSlotProbe"));
        assertThat(linkTargets(bytes)).contains(p.symbol("loop"), p.symbol("after"));
    }
}
