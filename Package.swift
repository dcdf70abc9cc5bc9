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
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .target(name: "Core", dependencies: ["COpenSSL", "CArgon2"]),
        .executableTarget(name: "wif-mint", dependencies: [
            "Core", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "wif-verify", dependencies: ["Core"]),
        .executableTarget(name: "wif-inspect", dependencies: ["Core"]),
        .testTarget(name: "CoreTests", dependencies: ["Core"], resources: []),
    ],
    swiftLanguageModes: [.v6]
)
