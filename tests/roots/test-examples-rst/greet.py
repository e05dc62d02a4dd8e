# SPDX-License-Identifier: MIT
print("included")
