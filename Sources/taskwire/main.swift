print("taskwire")
