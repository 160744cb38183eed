"""Pure domain: poverty standards as data, classification, policies and Vietnamese text helpers."""
