package streaminglab.install;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/** The kernel's logo, drawn (no fonts needed): Spark's orange with three stream lines. */
final class KernelLogo {
    private KernelLogo() {
    }

    static void writeInto(Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        for (int size : new int[]{32, 64}) {
            ImageIO.write(draw(size), "png", dir.resolve("logo-" + size + "x" + size + ".png").toFile());
        }
    }

    static BufferedImage draw(int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(0xE2, 0x5A, 0x1C));
        g.fill(new RoundRectangle2D.Double(0, 0, size, size, size * 0.3, size * 0.3));
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(size / 12f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int i = 0; i < 3; i++) {
            double y = size * (0.3 + i * 0.2);
            Path2D wave = new Path2D.Double();
            wave.moveTo(size * 0.18, y);
            wave.curveTo(size * 0.38, y - size * 0.1, size * 0.62, y + size * 0.1, size * 0.82, y);
            g.draw(wave);
        }
        g.dispose();
        return image;
    }
}
