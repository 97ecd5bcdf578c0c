package streaminglab.execution;

import org.apache.xbean.asm9.ClassReader;
import org.apache.xbean.asm9.ClassVisitor;
import org.apache.xbean.asm9.ClassWriter;
import org.apache.xbean.asm9.MethodVisitor;
import org.apache.xbean.asm9.Opcodes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * On a real cluster, executors are other JVMs: they load cell classes from the driver, which
 * serves this folder (Spark's spark.repl.class.outputDir, as its own Scala shell does).
 *
 * <p>JShell keeps a cell's top-level variables in static fields of the cell's wrapper class,
 * set by running the cell; an executor's copy of that class never ran the cell, so a lambda that
 * reads such a variable there would silently see 0 or null. The classes written here therefore
 * have every read or write of a top-level variable replaced by a clear error saying what to do.
 * Local mode never uses this folder: its executors share the kernel's own classes.
 */
public final class ExecutorClassFolder {
    /** A cell's wrapper class (not a class declared in a cell, which is nested: $JShell$7$Person). */
    private static final Pattern WRAPPER = Pattern.compile("REPL/\\$JShell\\$\\d+[A-Z]*");

    private final Path root;
    private final ClassLoader loader;

    public ExecutorClassFolder(Path root, ClassLoader loader) {
        this.root = root;
        this.loader = loader;
    }

    public Path root() {
        return root;
    }

    /** Writes a cell class for executors, with top-level variable access made to fail clearly. */
    public void write(String className, byte[] bytecode) {
        Path file = root.resolve(className.replace('.', '/') + ".class");
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, guardTopLevelVariables(bytecode));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write cell class " + className + " for the executors", e);
        }
    }

    /** Removes the folder when the kernel stops. */
    public void delete() {
        try (var files = Files.walk(root)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | UncheckedIOException e) {
            // a leftover folder of class files harms nothing
        }
    }

    byte[] guardTopLevelVariables(byte[] bytecode) {
        ClassReader reader = new ClassReader(bytecode);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                try {
                    Class<?> x = Class.forName(a.replace('/', '.'), false, loader);
                    Class<?> y = Class.forName(b.replace('/', '.'), false, loader);
                    if (x.isAssignableFrom(y)) return a;
                    if (y.isAssignableFrom(x)) return b;
                    if (x.isInterface() || y.isInterface()) return "java/lang/Object";
                    do {
                        x = x.getSuperclass();
                    } while (!x.isAssignableFrom(y));
                    return x.getName().replace('.', '/');
                } catch (ClassNotFoundException | LinkageError e) {
                    return "java/lang/Object";
                }
            }
        };
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                if (name.equals("do_it$") || name.equals("<clinit>")) return mv; // run on the driver only
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitFieldInsn(int opcode, String owner, String field, String desc) {
                        boolean topLevel = (opcode == Opcodes.GETSTATIC || opcode == Opcodes.PUTSTATIC)
                                && WRAPPER.matcher(owner).matches();
                        if (!topLevel) {
                            super.visitFieldInsn(opcode, owner, field, desc);
                            return;
                        }
                        super.visitTypeInsn(Opcodes.NEW, "java/lang/IllegalStateException");
                        super.visitInsn(Opcodes.DUP);
                        super.visitLdcInsn(message(field));
                        super.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/IllegalStateException", "<init>",
                                "(Ljava/lang/String;)V", false);
                        super.visitInsn(Opcodes.ATHROW); // what followed is unreachable now; ASM drops it
                    }
                };
            }
        }, 0);
        return writer.toByteArray();
    }

    static String message(String variable) {
        return "This code runs on a Spark executor and uses the notebook variable `" + variable
                + "` from an earlier cell. On a cluster, executors do not get the notebook's top-level variables. "
                + "Copy it into a local variable inside a block, so the lambda takes the value with it: "
                + "{ var " + variable + "Copy = " + variable + "; ... use " + variable + "Copy in the lambda ... }";
    }
}
