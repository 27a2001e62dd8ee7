import { n } from "native";
import x from "./self.js";
while (true) { n + 1; }
