print("included")
