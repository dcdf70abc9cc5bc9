// swift-tools-version:6.0
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

let package = Package(
    name: "wif",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "wif-mint", targets: ["wif-mint"]),
        .executable(name: "wif-verify", targets: ["wif-verify"]),
        .executable(name: "wif-inspect", targets: ["wif-inspect"]),
    ],
    targets: [
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .target(name: "Core", dependencies: ["COpenSSL", "CArgon2"]),
        .executableTarget(name: "wif-mint", dependencies: ["Core"]),
        .executableTarget(name: "wif-verify", dependencies: ["Core"]),
        .executableTarget(name: "wif-inspect", dependencies: ["Core"]),
        .testTarget(name: "CoreTests", dependencies: ["Core"], resources: []),
    ],
    swiftLanguageModes: [.v6]
)
